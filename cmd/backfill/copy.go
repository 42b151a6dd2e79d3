package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// maxCopyObject is the largest object one CopyObject request copies (5 GiB); larger
// ones need a multipart copy. The converter never reads originals that large
// (imgcells:maxSourceBytes is at most 512 MiB), so they are reported, not copied.
const maxCopyObject = 5 << 30

// s3API is what the copier calls: ListObjectsV2 on the source, HeadObject and
// CopyObject on the replica.
type s3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
}

// copier copies the originals a replica lacks from the main source bucket.
type copier struct {
	From, To     string // bucket names
	Source       s3API  // a client for From's region
	Replica      s3API  // a client for To's region (CopyObject runs there)
	Prefix       string // only keys under it; "" for all
	Workers      int
	DryRun       bool
	Log          io.Writer // one line per copy (or would-be copy) and per problem
	mu           sync.Mutex
	stats        stats
	firstProblem error
}

// stats count what a run did with each listed key.
type stats struct {
	Listed, Copied, Present, TooLarge, Changed, Failed int
}

func (s stats) String() string {
	return fmt.Sprintf("listed %d, copied %d, already present %d, too large %d, changed during the run %d, failed %d",
		s.Listed, s.Copied, s.Present, s.TooLarge, s.Changed, s.Failed)
}

// Run lists the source and copies each key whose replica is missing or differs (by
// ETag) with a server-side CopyObject conditioned on the listed source ETag and on the
// replica being as checked, so a key that live replication or an upload changes during
// the run is left to replication. Re-running it is safe and copies only what is still
// missing or different. It returns the counts, and an error
// when listing failed or any copy failed.
func (c *copier) Run(ctx context.Context) (stats, error) {
	work := make(chan types.Object)
	var wg sync.WaitGroup
	for range max(c.Workers, 1) {
		wg.Go(func() {
			for obj := range work {
				c.one(ctx, obj)
			}
		})
	}
	listErr := c.list(ctx, work)
	close(work)
	wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case listErr != nil:
		return c.stats, fmt.Errorf("listing s3://%s: %w", c.From, listErr)
	case c.stats.Failed > 0:
		return c.stats, fmt.Errorf("%d copies failed, the first: %w", c.stats.Failed, c.firstProblem)
	}
	return c.stats, nil
}

func (c *copier) list(ctx context.Context, work chan<- types.Object) error {
	p := s3.NewListObjectsV2Paginator(c.Source, &s3.ListObjectsV2Input{Bucket: aws.String(c.From), Prefix: aws.String(c.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, obj := range page.Contents {
			c.count(func(s *stats) { s.Listed++ })
			select {
			case work <- obj:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

func (c *copier) one(ctx context.Context, obj types.Object) {
	key, etag, size := aws.ToString(obj.Key), aws.ToString(obj.ETag), aws.ToInt64(obj.Size)
	head, err := c.Replica.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(c.To), Key: aws.String(key)})
	switch {
	case err == nil && aws.ToString(head.ETag) == etag:
		c.count(func(s *stats) { s.Present++ })
		return
	case err != nil && !isNotFound(err):
		c.fail(key, fmt.Errorf("checking the replica: %w", err))
		return
	case size > maxCopyObject:
		c.count(func(s *stats) { s.TooLarge++ })
		c.logf("too large for one CopyObject (%d bytes), not copied: %s", size, key)
		return
	}
	if c.DryRun {
		c.count(func(s *stats) { s.Copied++ })
		c.logf("would copy %s (%d bytes)", key, size)
		return
	}
	in := &s3.CopyObjectInput{
		Bucket:            aws.String(c.To),
		Key:               aws.String(key),
		CopySource:        aws.String(copySource(c.From, key)),
		CopySourceIfMatch: aws.String(etag), // the version listed, or nothing
		// MetadataDirective COPY (the default) keeps Content-Type, Cache-Control and
		// user metadata; the replica's default encryption applies.
	}
	// Only over what was checked: if live replication writes the key meanwhile, its
	// newer copy stays (S3 conditional writes on CopyObject).
	if err == nil {
		in.IfMatch = head.ETag
	} else {
		in.IfNoneMatch = aws.String("*")
	}
	_, err = c.Replica.CopyObject(ctx, in)
	var api smithy.APIError
	switch {
	case errors.As(err, &api) && (api.ErrorCode() == "PreconditionFailed" || api.ErrorCode() == "ConditionalRequestConflict"):
		c.count(func(s *stats) { s.Changed++ })
		c.logf("changed during the run (source or replica), left to replication: %s", key)
	case err != nil:
		c.fail(key, fmt.Errorf("copying: %w", err))
	default:
		c.count(func(s *stats) { s.Copied++ })
		c.logf("copied %s (%d bytes)", key, size)
	}
}

// copySource is CopyObject's x-amz-copy-source: bucket/key with the key URL-encoded
// segment by segment ("+" too, which S3 would otherwise read as a space).
func copySource(bucket, key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), "+", "%2B")
	}
	return bucket + "/" + strings.Join(segs, "/")
}

func isNotFound(err error) bool {
	var nf *types.NotFound
	var nsk *types.NoSuchKey
	var api smithy.APIError
	return errors.As(err, &nf) || errors.As(err, &nsk) || errors.As(err, &api) && api.ErrorCode() == "NotFound"
}

func (c *copier) count(f func(*stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}

func (c *copier) fail(key string, err error) {
	err = fmt.Errorf("%s: %w", key, err)
	c.mu.Lock()
	c.stats.Failed++
	if c.firstProblem == nil {
		c.firstProblem = err
	}
	c.mu.Unlock()
	c.logf("%v", err)
}

func (c *copier) logf(format string, args ...any) {
	if c.Log == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.Log, format+"\n", args...)
}
