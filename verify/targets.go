package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// newHTTPClient answers every request itself: redirects are results to check.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// NewAWSTarget reaches a deployed stack with the default AWS configuration
// (the environment, the shared config and credentials files, SSO: whatever
// `pulumi up` used): S3 in each bucket's region, CloudFront invalidations.
func NewAWSTarget(ctx context.Context, o Outputs, signKey string) (Target, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return Target{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	clients := map[string]*s3.Client{}
	for _, r := range o.Regions() {
		clients[r] = s3.NewFromConfig(cfg, func(opt *s3.Options) { opt.Region = r })
	}
	cf := cloudfront.NewFromConfig(cfg, func(opt *cloudfront.Options) { opt.Region = "us-east-1" })
	return Target{
		Outputs: o,
		Store:   s3Store{client: func(bucket string) *s3.Client { return clients[o.BucketRegion(bucket)] }},
		HTTP:    newHTTPClient(),
		SignKey: signKey,
		Invalidate: func(ctx context.Context, prefix string) error {
			out, err := cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
				DistributionId: aws.String(o.DistributionID),
				InvalidationBatch: &cftypes.InvalidationBatch{
					CallerReference: aws.String("imgcells-verify-" + strconv.FormatInt(time.Now().UnixNano(), 36)),
					Paths:           &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{prefix + "*"}},
				},
			})
			if err != nil {
				return fmt.Errorf("creating the invalidation: %w", err)
			}
			deadline, ok := ctx.Deadline()
			if !ok {
				deadline = time.Now().Add(5 * time.Minute)
			}
			return cloudfront.NewInvalidationCompletedWaiter(cf).Wait(ctx, &cloudfront.GetInvalidationInput{
				DistributionId: aws.String(o.DistributionID), Id: out.Invalidation.Id,
			}, time.Until(deadline))
		},
	}, nil
}

// NewLocalTarget reaches the local stack whose outputs (/_local/outputs) o
// are: its S3 server with its static credentials, its invalidation endpoint.
func NewLocalTarget(o Outputs) (Target, error) {
	l := o.Local
	if l == nil || l.S3Endpoint == "" || l.InvalidateURL == "" {
		return Target{}, errors.New("the outputs are not the local stack's: no local.s3Endpoint or local.invalidateUrl")
	}
	client := s3.New(s3.Options{
		Region:       l.S3Region,
		BaseEndpoint: aws.String(l.S3Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(l.AccessKeyID, l.SecretAccessKey, ""),
		// The local server is on loopback: no checksums, no retries to wait for.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	httpc := newHTTPClient()
	return Target{
		Outputs: o,
		Store:   s3Store{client: func(string) *s3.Client { return client }},
		HTTP:    httpc,
		SignKey: l.SignKey,
		Invalidate: func(ctx context.Context, _ string) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.InvalidateURL, strings.NewReader(""))
			if err != nil {
				return err
			}
			resp, err := httpc.Do(req)
			if err != nil {
				return fmt.Errorf("invalidating: %w", err)
			}
			_ = resp.Body.Close() // the status says it all
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("invalidating: %s answered %d", l.InvalidateURL, resp.StatusCode)
			}
			return nil
		},
	}, nil
}
