package stack

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// route is one replication rule: every new object version of From is copied
// to To; with Deletes (delete-marker replication, the source rules) a delete
// in From is carried to To too.
type route struct {
	From, To string
	Deletes  bool
}

// Replicator simulates S3 Replication between the stack's buckets: the
// primary source bucket to every replica (writes, overwrites and deletes),
// and every transformed bucket to every other (writes only: delete markers
// are not replicated there). Like S3 it copies each object version once Lag
// has passed since it was written (here: first seen), even if the version
// was deleted meanwhile, and never replicates a replica. Copies keep
// Content-Type, Cache-Control and metadata.
type Replicator struct {
	client  *s3.Client
	routes  []route
	staging string
	Lag     time.Duration

	step     sync.Mutex // one pass at a time
	mu       sync.Mutex
	seen     map[string]bool      // from, key, etag: versions already owed
	owed     []*owed              // versions staged and not yet everywhere
	replicas map[string]string    // bucket, key → the ETag replication wrote there
	deletes  map[string]time.Time // route, key → when the delete is due
	seq      int
	copied   int

	// after, when set before Run, replaces time.After between passes
	// (tests watch the waits).
	after func(time.Duration) <-chan time.Time
}

// owed is one object version the replicator still owes to some buckets.
type owed struct {
	from, key, etag string
	stage           string // its copy in the staging bucket
	due             time.Time
	to              []string
}

func newReplicator(c *s3.Client, b Buckets, lag time.Duration) *Replicator {
	r := &Replicator{client: c, Lag: lag, staging: b.Staging(),
		seen: map[string]bool{}, replicas: map[string]string{}, deletes: map[string]time.Time{}}
	for _, region := range b.Regions {
		if region != b.PrimaryRegion {
			r.routes = append(r.routes, route{From: b.PrimarySource(), To: b.Source(region), Deletes: true})
		}
		for _, other := range b.Regions {
			if other != region {
				r.routes = append(r.routes, route{From: b.Transformed(region), To: b.Transformed(other)})
			}
		}
	}
	return r
}

func id(parts ...string) string { return strings.Join(parts, "\x00") }

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

// Step does one replication pass: it notes the versions and deletes it has
// not seen yet, then carries out those that are due, oldest first, and
// returns how many objects it copied. With force it ignores the lag: tests
// use it to say "replication has caught up now".
func (r *Replicator) Step(ctx context.Context, force bool) (int, error) {
	r.step.Lock()
	defer r.step.Unlock()
	now := time.Now()
	listings := map[string]map[string]string{}
	list := func(bucket string) (map[string]string, error) {
		if keys, ok := listings[bucket]; ok {
			return keys, nil
		}
		keys, err := listETags(ctx, r.client, bucket, "")
		listings[bucket] = keys
		return keys, err
	}
	var sources []string // the buckets replication copies from
	for _, rt := range r.routes {
		if !slices.Contains(sources, rt.From) {
			sources = append(sources, rt.From)
		}
	}
	for _, from := range sources {
		objects, err := list(from)
		if err != nil {
			return 0, err
		}
		for _, key := range slices.Sorted(maps.Keys(objects)) {
			if err := r.note(ctx, from, key, objects[key], now); err != nil {
				return 0, err
			}
		}
	}
	for _, rt := range r.routes {
		if !rt.Deletes {
			continue
		}
		from, err := list(rt.From)
		if err != nil {
			return 0, err
		}
		to, err := list(rt.To)
		if err != nil {
			return 0, err
		}
		r.mu.Lock()
		for key := range to {
			if _, ok := from[key]; !ok {
				if _, pending := r.deletes[id(rt.To, key)]; !pending {
					r.deletes[id(rt.To, key)] = now.Add(r.Lag)
				}
			}
		}
		r.mu.Unlock()
	}
	n, err := r.deliver(ctx, now, force)
	r.mu.Lock()
	r.copied += n
	r.mu.Unlock()
	return n, err
}

// note stages a version of from/key not seen before (unless replication
// itself wrote it there).
func (r *Replicator) note(ctx context.Context, from, key, etag string, now time.Time) error {
	r.mu.Lock()
	if r.replicas[id(from, key)] == etag || r.seen[id(from, key, etag)] {
		r.mu.Unlock()
		return nil
	}
	r.seq++
	stage := strconv.Itoa(r.seq)
	r.mu.Unlock()
	_, err := r.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String(r.staging), Key: aws.String(stage), CopySource: aws.String(from + "/" + escapeKey(key)),
	})
	if isAPIError(err, "NoSuchKey") {
		return nil // deleted since the listing: the next pass decides
	}
	if err != nil {
		return fmt.Errorf("staging %s/%s for replication: %w", from, key, err)
	}
	o := &owed{from: from, key: key, etag: etag, stage: stage, due: now.Add(r.Lag)}
	for _, rt := range r.routes {
		if rt.From == from {
			o.to = append(o.to, rt.To)
		}
	}
	r.mu.Lock()
	r.seen[id(from, key, etag)] = true
	r.owed = append(r.owed, o)
	r.mu.Unlock()
	return nil
}

// deliver carries out the copies and deletes that are due, in due order.
func (r *Replicator) deliver(ctx context.Context, now time.Time, force bool) (int, error) {
	type op struct {
		due   time.Time
		copy  *owed
		table string // a delete: "bucket\x00key"
	}
	r.mu.Lock()
	var ops []op
	for _, o := range r.owed {
		if force || !now.Before(o.due) {
			ops = append(ops, op{due: o.due, copy: o})
		}
	}
	for k, due := range r.deletes {
		if force || !now.Before(due) {
			ops = append(ops, op{due: due, table: k})
		}
	}
	r.mu.Unlock()
	slices.SortStableFunc(ops, func(a, b op) int { return a.due.Compare(b.due) })
	n := 0
	for _, o := range ops {
		if o.copy == nil {
			bucket, key, _ := strings.Cut(o.table, "\x00")
			if _, err := r.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				return n, fmt.Errorf("replicating the delete of %s to %s: %w", key, bucket, err)
			}
			r.mu.Lock()
			delete(r.deletes, o.table)
			delete(r.replicas, o.table)
			r.mu.Unlock()
			continue
		}
		for len(o.copy.to) > 0 {
			to := o.copy.to[0]
			_, err := r.client.CopyObject(ctx, &s3.CopyObjectInput{
				Bucket: aws.String(to), Key: aws.String(o.copy.key), CopySource: aws.String(r.staging + "/" + o.copy.stage),
			})
			if err != nil {
				return n, fmt.Errorf("replicating %s/%s to %s: %w", o.copy.from, o.copy.key, to, err)
			}
			r.mu.Lock()
			r.replicas[id(to, o.copy.key)] = o.copy.etag
			o.copy.to = o.copy.to[1:]
			r.mu.Unlock()
			n++
		}
		if _, err := r.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(r.staging), Key: aws.String(o.copy.stage)}); err != nil {
			return n, fmt.Errorf("dropping a staged copy: %w", err)
		}
		r.mu.Lock()
		r.owed = slices.DeleteFunc(r.owed, func(x *owed) bool { return x == o.copy })
		r.mu.Unlock()
	}
	return n, nil
}

// Pending reports whether a version of bucket/key written there (not a
// replica) has not reached every bucket it replicates to: S3's
// x-amz-replication-status PENDING.
func (r *Replicator) Pending(bucket, key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.owed {
		if o.from == bucket && o.key == key && len(o.to) > 0 {
			return true
		}
	}
	return false
}

// Copied is the number of objects replicated so far.
func (r *Replicator) Copied() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.copied
}
