package purge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// Invalidator removes cached responses from the CDN.
type Invalidator interface {
	// Invalidate removes every cached response whose URI matches one of
	// paths ("/a/b" exactly, or "/a/*" every URI starting with "/a/").
	Invalidate(ctx context.Context, paths []string) error
}

// CloudFront invalidates a distribution's cache.
type CloudFront struct {
	Client         *cloudfront.Client
	DistributionID string
}

// Invalidate implements Invalidator with one CreateInvalidation. CloudFront
// answers TooManyInvalidationsInProgress past its limits; the error makes
// the purge's message come back later.
func (c CloudFront) Invalidate(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	_, err := c.Client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
		DistributionId: aws.String(c.DistributionID),
		InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String(callerReference()),
			Paths:           &cftypes.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths},
		},
	})
	if err != nil {
		return fmt.Errorf("invalidating %d paths of distribution %s: %w", len(paths), c.DistributionID, err)
	}
	return nil
}

// callerReference is unique per request: CloudFront treats a repeated one as
// the same invalidation.
func callerReference() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return fmt.Sprintf("imgcells-%d-%s", time.Now().UnixNano(), hex.EncodeToString(b))
}

// InvalidationBatch is the body of the local stack's invalidation endpoint
// (POST /_local/invalidations), which HTTPInvalidator sends.
type InvalidationBatch struct {
	Paths []string `json:"paths"`
}

// HTTPInvalidator posts invalidations to the local stack.
type HTTPInvalidator struct {
	URL    string
	Client *http.Client // nil: http.DefaultClient
}

// Invalidate implements Invalidator.
func (h HTTPInvalidator) Invalidate(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	body, err := json.Marshal(InvalidationBatch{Paths: paths})
	if err != nil {
		return fmt.Errorf("encoding invalidation: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("invalidating at %s: %w", h.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("invalidating at %s: %w", h.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("invalidating at %s: %s: %s", h.URL, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
