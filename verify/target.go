package verify

import (
	"context"
	"net/http"
	"time"
)

// Store is the object access the checks need, on every bucket of the stack:
// S3 in each bucket's region, or the local stack's S3 server.
type Store interface {
	// Put stores an object.
	Put(ctx context.Context, bucket, key string, body []byte, contentType string) error
	// Keys lists the keys under prefix.
	Keys(ctx context.Context, bucket, prefix string) ([]string, error)
	// Purge removes every object under prefix, with every version and delete
	// marker where the bucket keeps versions, and reports how many it removed.
	Purge(ctx context.Context, bucket, prefix string) (int, error)
}

// Target is one deployed stack (or the local stack) and how to reach it.
type Target struct {
	Outputs Outputs
	Store   Store
	// Invalidate removes every cached object whose path starts with
	// pathPrefix (a CloudFront invalidation of "<pathPrefix>*") and returns
	// once it has completed.
	Invalidate func(ctx context.Context, pathPrefix string) error
	HTTP       *http.Client
	// SignKey is the URL-signing key (sign.key in the function's
	// KeyValueStore), needed when Outputs.Signing is on.
	SignKey string
}

// Options tune a run.
type Options struct {
	// Misses is how many first requests (and as many cached ones) the
	// latency check measures.
	Misses int
	// ReplicationTimeout bounds the wait for replication to every region.
	ReplicationTimeout time.Duration
	// InvalidationTimeout bounds the wait for the invalidation that makes the
	// distribution fetch the replicated variant from the MRAP again.
	InvalidationTimeout time.Duration
	// MaxMissP95, when positive, fails the latency check when the P95 of
	// first requests is above it (otherwise it is reported beside the
	// headline, not judged: it depends on where the check runs).
	MaxMissP95 time.Duration
	// Poll is how often replication is looked at.
	Poll time.Duration
}

func (o *Options) defaults() {
	if o.Misses <= 0 {
		o.Misses = 10
	}
	if o.ReplicationTimeout <= 0 {
		o.ReplicationTimeout = 5 * time.Minute
	}
	if o.InvalidationTimeout <= 0 {
		o.InvalidationTimeout = 5 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
}
