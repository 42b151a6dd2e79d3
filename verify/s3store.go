package verify

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3Store is Store over S3: client picks the client for a bucket (its region's
// on AWS, the one server's locally).
type s3Store struct {
	client func(bucket string) *s3.Client
}

func (s s3Store) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	_, err := s.client(bucket).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String(contentType),
	})
	if err != nil {
		return fmt.Errorf("putting s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

func (s s3Store) Keys(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s.client(bucket), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// Purge deletes every version and delete marker under prefix, so a versioned
// bucket keeps nothing of the probes; a server that lists no versions gets
// its current objects deleted.
func (s s3Store) Purge(ctx context.Context, bucket, prefix string) (int, error) {
	c := s.client(bucket)
	type version struct{ key, id string }
	var all []version
	pages := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.purgeCurrent(ctx, bucket, prefix)
		}
		for _, v := range page.Versions {
			all = append(all, version{aws.ToString(v.Key), aws.ToString(v.VersionId)})
		}
		for _, m := range page.DeleteMarkers {
			all = append(all, version{aws.ToString(m.Key), aws.ToString(m.VersionId)})
		}
	}
	for _, v := range all {
		in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(v.key)}
		if v.id != "" && v.id != "null" {
			in.VersionId = aws.String(v.id)
		}
		if _, err := c.DeleteObject(ctx, in); err != nil {
			return 0, fmt.Errorf("deleting s3://%s/%s (version %s): %w", bucket, v.key, v.id, err)
		}
	}
	return len(all), nil
}

func (s s3Store) purgeCurrent(ctx context.Context, bucket, prefix string) (int, error) {
	keys, err := s.Keys(ctx, bucket, prefix)
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if _, err := s.client(bucket).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			return 0, fmt.Errorf("deleting s3://%s/%s: %w", bucket, k, err)
		}
	}
	return len(keys), nil
}
