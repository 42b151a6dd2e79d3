package stack

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
)

// escapeKey percent-encodes each segment of an object key (everything but
// RFC 3986 unreserved characters, so "+" is never read as a space) for a
// CopySource header or a URL path.
func escapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
	}
	return strings.Join(segs, "/")
}

// listKeys lists the keys of bucket under prefix.
func listKeys(ctx context.Context, c *s3.Client, bucket, prefix string) (map[string]bool, error) {
	etags, err := listETags(ctx, c, bucket, prefix)
	keys := make(map[string]bool, len(etags))
	for k := range etags {
		keys[k] = true
	}
	return keys, err
}

// listETags lists bucket under prefix: key → ETag (unquoted).
func listETags(ctx context.Context, c *s3.Client, bucket, prefix string) (map[string]string, error) {
	keys := map[string]string{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return keys, fmt.Errorf("listing %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			keys[aws.ToString(o.Key)] = contract.TrimETag(aws.ToString(o.ETag))
		}
	}
	return keys, nil
}
