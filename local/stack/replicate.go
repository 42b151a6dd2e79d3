package stack

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// route is one replication rule: every object of From is copied to To.
type route struct{ From, To string }

// Replicator simulates S3 Replication between the stack's buckets: the
// primary source bucket to every replica, and every transformed bucket to
// every other. An object is copied once Lag has passed since the replicator
// first saw it, and only when the destination does not have the key yet (so
// replicas are never replicated back). Copies are server-side CopyObject
// calls that keep Content-Type and Cache-Control.
type Replicator struct {
	client *s3.Client
	routes []route
	Lag    time.Duration

	mu        sync.Mutex
	firstSeen map[string]time.Time // "bucket/key" → when first listed
	copied    int

	// after, when set before Run, replaces time.After between passes
	// (tests watch the waits).
	after func(time.Duration) <-chan time.Time
}

func newReplicator(c *s3.Client, b Buckets, lag time.Duration) *Replicator {
	r := &Replicator{client: c, Lag: lag, firstSeen: map[string]time.Time{}}
	for _, region := range b.Regions {
		if region != b.PrimaryRegion {
			r.routes = append(r.routes, route{b.PrimarySource(), b.Source(region)})
		}
		for _, other := range b.Regions {
			if other != region {
				r.routes = append(r.routes, route{b.Transformed(region), b.Transformed(other)})
			}
		}
	}
	return r
}

// maxBackoff bounds the wait between failing replication passes.
const maxBackoff = 10 * time.Second

// backoff is the wait before the next pass after failures failed passes in
// a row: tick while passes succeed, doubling with each failure up to
// maxBackoff (or tick, if that is longer).
func backoff(tick time.Duration, failures int) time.Duration {
	d := tick
	for range failures {
		if d >= maxBackoff {
			break
		}
		d *= 2
	}
	return max(tick, min(d, maxBackoff))
}

// Run replicates every tick until ctx is done. A failing pass is logged by
// the caller's logf and retried after a wait that doubles with each failure
// in a row (backoff), so an S3 server that is down is not asked, nor logged
// about, ten times a second; the first pass that succeeds again says so.
func (r *Replicator) Run(ctx context.Context, tick time.Duration, logf func(string, ...any)) {
	after := r.after
	if after == nil {
		after = time.After
	}
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-after(backoff(tick, failures)):
		}
		_, err := r.Step(ctx, false)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			failures++
			logf("replication: %v (%d failed passes in a row; next in %s)", err, failures, backoff(tick, failures))
		case failures > 0:
			logf("replication: working again after %d failed passes", failures)
			failures = 0
		}
	}
}

// Step does one replication pass and returns how many objects it copied.
// With force it ignores the lag: tests use it to say "replication has
// caught up now".
func (r *Replicator) Step(ctx context.Context, force bool) (int, error) {
	n := 0
	listings := map[string]map[string]bool{}
	list := func(bucket string) (map[string]bool, error) {
		if keys, ok := listings[bucket]; ok {
			return keys, nil
		}
		keys, err := listKeys(ctx, r.client, bucket, "")
		listings[bucket] = keys
		return keys, err
	}
	now := time.Now()
	for _, rt := range r.routes {
		from, err := list(rt.From)
		if err != nil {
			return n, err
		}
		to, err := list(rt.To)
		if err != nil {
			return n, err
		}
		for key := range from {
			if to[key] || !r.due(rt.From+"/"+key, now, force) {
				continue
			}
			if err := r.copy(ctx, rt, key); err != nil {
				return n, err
			}
			to[key] = true
			n++
		}
	}
	r.mu.Lock()
	r.copied += n
	r.mu.Unlock()
	return n, nil
}

// Copied is the number of objects replicated so far.
func (r *Replicator) Copied() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.copied
}

func (r *Replicator) due(id string, now time.Time, force bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen, ok := r.firstSeen[id]
	if !ok {
		seen = now
		r.firstSeen[id] = now
	}
	return force || now.Sub(seen) >= r.Lag
}

func (r *Replicator) copy(ctx context.Context, rt route, key string) error {
	_, err := r.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     aws.String(rt.To),
		Key:        aws.String(key),
		CopySource: aws.String(rt.From + "/" + escapeKey(key)),
	})
	if err != nil {
		return fmt.Errorf("replicating %s/%s to %s: %w", rt.From, key, rt.To, err)
	}
	return nil
}

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
	keys := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return keys, fmt.Errorf("listing %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			keys[aws.ToString(o.Key)] = true
		}
	}
	return keys, nil
}
