package purge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"imgcells/contract"
)

// S3Source is the main source bucket.
type S3Source struct {
	Client *s3.Client
	Bucket string
}

// Current implements Source with a HEAD: S3 is strongly consistent, so it
// sees every write and delete that finished before it.
func (s S3Source) Current(ctx context.Context, key string) (string, bool, error) {
	out, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if notFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading s3://%s/%s: %w", s.Bucket, key, err)
	}
	return contract.TrimETag(aws.ToString(out.ETag)), true, nil
}

// S3Bucket is one region's transformed bucket.
type S3Bucket struct {
	Client *s3.Client
	Name   string
	In     string // its region
	// Pending, when set, replaces the x-amz-replication-status check (the
	// local stack, whose S3 server does not replicate, answers from its
	// simulated replication).
	Pending func(key string) bool
}

var _ Bucket = S3Bucket{}

// Region implements Bucket.
func (b S3Bucket) Region() string { return b.In }

// Variants implements Bucket with a listing delimited at "/": the variants
// of "a.jpg" are the objects "a.jpg/<ops>", not those of "a.jpg/b.jpg".
func (b S3Bucket) Variants(ctx context.Context, original string) ([]string, error) {
	prefix := original + "/"
	var keys []string
	p := s3.NewListObjectsV2Paginator(b.Client, &s3.ListObjectsV2Input{
		Bucket: aws.String(b.Name), Prefix: aws.String(prefix), Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", b.Name, prefix, err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if _, err := contract.ParseOps(strings.TrimPrefix(k, prefix)); err == nil {
				keys = append(keys, k)
			}
		}
	}
	return keys, nil
}

// Inspect implements Bucket with a HEAD: the recorded source ETag, and
// x-amz-replication-status PENDING on a variant this region stored whose
// copies have not all landed (S3 reports COMPLETED only once every
// destination has it: S3 user guide, "Getting replication status
// information").
func (b S3Bucket) Inspect(ctx context.Context, key string) (Variant, bool, error) {
	out, err := b.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if notFound(err) {
		return Variant{}, false, nil
	}
	if err != nil {
		return Variant{}, false, fmt.Errorf("reading s3://%s/%s: %w", b.Name, key, err)
	}
	v := Variant{SourceETag: out.Metadata[contract.SourceETagMetadata], Pending: out.ReplicationStatus == types.ReplicationStatusPending}
	if b.Pending != nil {
		v.Pending = b.Pending(key)
	}
	return v, true, nil
}

// Delete implements Bucket. Without a version id S3 adds a delete marker:
// the old version stays until the bucket's lifecycle expires it, and a
// replication already under way still lands (and is purged in turn).
func (b S3Bucket) Delete(ctx context.Context, key string) error {
	_, err := b.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("deleting s3://%s/%s: %w", b.Name, key, err)
	}
	return nil
}

func notFound(err error) bool {
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		}
	}
	return false
}
