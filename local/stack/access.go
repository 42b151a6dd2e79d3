package stack

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/edge"
)

// What a test, the load benchmark or main may look at or drive.

// Regions lists the simulated regions, the primary first.
func (s *Stack) Regions() []string { return append([]string(nil), s.cfg.Regions...) }

// PrimaryRegion owns the main source bucket.
func (s *Stack) PrimaryRegion() string { return s.cfg.PrimaryRegion }

// Buckets names the stack's buckets.
func (s *Stack) Buckets() Buckets { return s.buckets }

// S3 is a client of the stack's S3 server (path-style, signed for its region).
func (s *Stack) S3() *s3.Client { return s.s3 }

// S3Endpoint is the S3 server's URL.
func (s *Stack) S3Endpoint() string { return s.server.Endpoint }

// S3AccessLog is versitygw's access log ("" for an external server).
func (s *Stack) S3AccessLog() string { return s.server.AccessLog }

// Conversions is how many times region's converter has been invoked.
func (s *Stack) Conversions(region string) int64 {
	if r, ok := s.regions[region]; ok {
		return r.conversions.Load()
	}
	return 0
}

// CacheLen is the number of entries in region's edge cache.
func (s *Stack) CacheLen(region string) int {
	if r, ok := s.regions[region]; ok {
		return r.cache.Len()
	}
	return 0
}

// PurgeCaches empties every edge cache (an invalidation of /*).
func (s *Stack) PurgeCaches() {
	for _, r := range s.regions {
		r.cache.Purge()
	}
}

// Upload stores an original in the primary source bucket, as the seed at
// start does: without an S3 event (PutOriginal sends one, so the purge runs);
// replication copies it to the replicas after the lag.
func (s *Stack) Upload(ctx context.Context, key string, data []byte) error {
	return putOriginal(ctx, s.s3, s.buckets.PrimarySource(), key, data)
}

// Keys lists the keys in bucket under prefix, once the converters' stores
// under way have finished (Settle).
func (s *Stack) Keys(ctx context.Context, bucket, prefix string) ([]string, error) {
	if err := s.Settle(ctx); err != nil {
		return nil, err
	}
	set, err := listKeys(ctx, s.s3, bucket, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out, nil
}

// Object reads one object: its bytes, Content-Type and Cache-Control, once
// the converters' stores under way have finished (Settle).
func (s *Stack) Object(ctx context.Context, bucket, key string) ([]byte, string, string, error) {
	if err := s.Settle(ctx); err != nil {
		return nil, "", "", err
	}
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, "", "", fmt.Errorf("reading %s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	buf, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", "", fmt.Errorf("reading %s/%s: %w", bucket, key, err)
	}
	return buf, aws.ToString(out.ContentType), aws.ToString(out.CacheControl), nil
}

// Replicate copies everything replication still owes, ignoring the lag.
func (s *Stack) Replicate(ctx context.Context) (int, error) {
	// What the converters have answered with is stored first (Settle).
	if err := s.Settle(ctx); err != nil {
		return 0, err
	}
	return s.Replicator.Step(ctx, true)
}

// EdgeConfig is the configuration rendered into the edge function.
func (s *Stack) EdgeConfig() edge.Config { return s.cfg.Edge }

// S3ServerPID is the versitygw process the stack started (0 if none).
func (s *Stack) S3ServerPID() int {
	if !s.ownsServer {
		return 0
	}
	return s.server.PID()
}

// DeleteVariant removes a stored variant from every transformed bucket and
// empties the edge caches, so the next request for it is cold again.
func (s *Stack) DeleteVariant(ctx context.Context, key string) error {
	// A store still under way would bring the variant back.
	if err := s.Settle(ctx); err != nil {
		return err
	}
	for _, r := range s.cfg.Regions {
		bucket := s.buckets.Transformed(r)
		if _, err := s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			return fmt.Errorf("deleting %s/%s: %w", bucket, key, err)
		}
	}
	s.PurgeCaches()
	return nil
}

// SigningKey is the URL-signing key in the edge function's KeyValueStore
// (used only when the edge config turns signing on).
func (s *Stack) SigningKey() string { return s.cfg.SigningKey }
