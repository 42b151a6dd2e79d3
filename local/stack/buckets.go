package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// Buckets names the buckets of the simulated deployment, as the regional
// cells name theirs: one primary source bucket, a replica of it in every
// other region, and a transformed bucket per region.
type Buckets struct {
	Prefix        string // distinguishes stacks sharing one S3 server
	PrimaryRegion string
	Regions       []string // the primary first
}

// Source is the bucket the converter in region reads originals from: the
// primary source bucket in the primary region, else that region's replica.
func (b Buckets) Source(region string) string {
	if region == b.PrimaryRegion {
		return b.Prefix + "-source"
	}
	return b.Prefix + "-source-" + region
}

// PrimarySource is the main source bucket, where uploads land.
func (b Buckets) PrimarySource() string { return b.Source(b.PrimaryRegion) }

// Transformed is region's bucket of variants (behind the simulated MRAP).
func (b Buckets) Transformed(region string) string {
	return b.Prefix + "-transformed-" + region
}

// Staging holds the object versions the simulated replication owes: S3
// replicates a version once it is written, even if it is deleted before the
// copy lands, so the replicator keeps its own copy meanwhile.
func (b Buckets) Staging() string { return b.Prefix + "-replication" }

// All lists every bucket, sorted.
func (b Buckets) All() []string {
	var out []string
	for _, r := range b.Regions {
		out = append(out, b.Source(r), b.Transformed(r))
	}
	sort.Strings(out)
	return out
}

// create makes every bucket that does not exist yet.
func (b Buckets) create(ctx context.Context, c *s3.Client) error {
	for _, name := range append(b.All(), b.Staging()) {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		if err != nil && !isAPIError(err, "BucketAlreadyOwnedByYou", "BucketAlreadyExists") {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	return nil
}

func isAPIError(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// imageTypes are the originals the gallery lists and the seeder uploads.
var imageTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".gif": "image/gif", ".webp": "image/webp",
}

// seed uploads every image under dir (recursively) to the primary source
// bucket, keyed by its slash-separated path relative to dir.
func seed(ctx context.Context, c *s3.Client, bucket, dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(path))
		if d.IsDir() || imageTypes[ext] == "" {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path) //nolint:gosec // G122: walks the operator's own images folder, symlinks included
		if err != nil {
			return err
		}
		if err := putOriginal(ctx, c, bucket, filepath.ToSlash(rel), data); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("uploading images from %s: %w", dir, err)
	}
	return n, nil
}

func putOriginal(ctx context.Context, c *s3.Client, bucket, key string, data []byte) error {
	ctype := imageTypes[strings.ToLower(filepath.Ext(key))]
	if ctype == "" {
		ctype = mime.TypeByExtension(filepath.Ext(key))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String(ctype),
	})
	if err != nil {
		return fmt.Errorf("uploading %s to %s: %w", key, bucket, err)
	}
	return nil
}
