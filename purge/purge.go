// Package purge removes the variants of an original that changed: when an
// original is overwritten or deleted in the main source bucket, every variant
// made from another version is deleted from every region's transformed bucket
// and CloudFront's cache is invalidated, so the next request anywhere is made
// from the new original (or is a 404).
//
// A purge is driven by state, not by the event that triggered it: it asks the
// main source bucket for the original's current ETag and keeps exactly the
// variants that recorded it (contract.SourceETagMetadata). Events may come
// twice or out of order; a purge run again finds nothing to do.
//
// Nothing here deletes a variant whose replication is still pending: its
// copies have not landed in the other regions yet, and while it stays current
// in its own bucket the next pass sees it. So one pass that finds no stale
// variant at all, run after the last stale variant could have been stored
// (contract.PurgeSettleDelay), proves that none is left anywhere and none is on
// its way (README, "The lifecycle of an original").
//
// The Lambda (Worker, fed from SQS), the local stack and cmd/imgpurge all run
// this code; only the buckets and the invalidation behind the interfaces
// differ.
package purge

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Source says what an original currently is.
type Source interface {
	// Current returns the ETag (unquoted) of the original's current
	// version, or found=false when it does not exist.
	Current(ctx context.Context, key string) (etag string, found bool, err error)
}

// Bucket is one region's transformed bucket.
type Bucket interface {
	Region() string
	// Variants lists the keys of the variants of original: the objects
	// directly under original + "/" whose last segment is a variant.
	Variants(ctx context.Context, original string) ([]string, error)
	// Inspect reads what a variant was made from; found=false when it is
	// gone.
	Inspect(ctx context.Context, key string) (v Variant, found bool, err error)
	// Delete removes the variant (a delete marker in a versioned bucket).
	Delete(ctx context.Context, key string) error
}

// Variant is what a purge needs to know about a stored variant.
type Variant struct {
	SourceETag string // the original version it was made from; "" if unknown
	Pending    bool   // its replication to the other regions has not finished
}

// Purger purges originals' variants from every region's bucket.
type Purger struct {
	Source  Source
	Buckets []Bucket
}

// Report is what a pass found.
type Report struct {
	Key     string
	ETag    string   // the original's current ETag; "" when it does not exist
	Exists  bool     // the original exists
	Kept    int      // variants made from the current version
	Deleted []string // "region key" of each stale variant deleted
	Pending []string // "region key" of each stale variant left until its replication ends
}

// Clean says the pass found no stale variant at all: none deleted, none
// waiting.
func (r Report) Clean() bool { return len(r.Deleted) == 0 && len(r.Pending) == 0 }

// Pass looks once at every variant of key in every region and deletes those
// made from another version than the current one (with force, every
// variant), except those whose replication is pending.
func (p *Purger) Pass(ctx context.Context, key string, force bool) (Report, error) {
	etag, found, err := p.Source.Current(ctx, key)
	if err != nil {
		return Report{Key: key}, fmt.Errorf("reading the current version of %q: %w", key, err)
	}
	r := Report{Key: key, ETag: etag, Exists: found}
	fresh := func(v Variant) bool { return found && !force && v.SourceETag != "" && v.SourceETag == etag }

	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, b := range p.Buckets {
		wg.Go(func() {
			kept, deleted, pending, err := sweep(ctx, b, key, fresh)
			mu.Lock()
			defer mu.Unlock()
			r.Kept += kept
			r.Deleted = append(r.Deleted, deleted...)
			r.Pending = append(r.Pending, pending...)
			if err != nil {
				errs = append(errs, fmt.Errorf("purging %q in %s: %w", key, b.Region(), err))
			}
		})
	}
	wg.Wait()
	sort.Strings(r.Deleted)
	sort.Strings(r.Pending)
	return r, errors.Join(errs...)
}

// sweep is one region's part of a pass.
func sweep(ctx context.Context, b Bucket, key string, fresh func(Variant) bool) (kept int, deleted, pending []string, err error) {
	keys, err := b.Variants(ctx, key)
	if err != nil {
		return 0, nil, nil, err
	}
	for _, k := range keys {
		v, found, err := b.Inspect(ctx, k)
		switch {
		case err != nil:
			return kept, deleted, pending, err
		case !found:
		case fresh(v):
			kept++
		case v.Pending:
			pending = append(pending, b.Region()+" "+k)
		default:
			if err := b.Delete(ctx, k); err != nil {
				return kept, deleted, pending, err
			}
			deleted = append(deleted, b.Region()+" "+k)
		}
	}
	return kept, deleted, pending, nil
}

// MaxPasses bounds Settle: passes only repeat while they delete, and after
// the settle delay only replicas still landing can make them do so.
const MaxPasses = 8

// Settle repeats passes until one finds no stale variant (settled) or finds
// only variants whose replication is pending (the caller waits and calls
// again). The report sums every pass's deletions; Pending is the last pass's.
func (p *Purger) Settle(ctx context.Context, key string, force bool) (r Report, settled bool, err error) {
	var deleted []string
	for range MaxPasses {
		r, err = p.Pass(ctx, key, force)
		deleted = append(deleted, r.Deleted...)
		if err != nil || r.Clean() || len(r.Deleted) == 0 {
			break
		}
	}
	settled = err == nil && r.Clean()
	r.Deleted = deleted
	return r, settled, err
}
