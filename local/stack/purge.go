package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"

	"imgcells/contract"
	"imgcells/purge"
)

// The local stack runs the purge function's own code (purge.Worker): S3
// event notifications are simulated for changes made through
// /_local/originals, queued like SQS does (with delays, and retries of a
// failed message), and invalidations empty the matching entries of every
// edge cache.

// purgeMaxAttempts is how often a failing message is delivered before it
// counts as dead-lettered (the stack's maxReceiveCount).
const purgeMaxAttempts = 10

// purgeRetryDelay is how soon a failed message comes again (the queue's
// visibility timeout, shortened).
const purgeRetryDelay = time.Second

// PurgeConfig holds the time bounds of the purge and of conversions. Zero
// values take the defaults noted.
type PurgeConfig struct {
	// ConverterTimeout cuts a conversion as the Lambda's timeout does:
	// nothing is stored after it and the response is a 503. Default
	// contract.ConverterTimeout.
	ConverterTimeout time.Duration
	// PurgeSettleDelay is when the purge looks again after an original
	// changed; it must exceed ConverterTimeout. Default
	// contract.PurgeSettleDelay, or ConverterTimeout + 5 s when that is set.
	PurgeSettleDelay time.Duration
	PurgeRetryDelay  time.Duration // settle checks while replication is pending; default 20 s
	EventDelay       time.Duration // S3 event delivery; default 0
	PurgeLog         *slog.Logger  // the purge's own log; default a line per record through logf
}

// defaults fills in the conversion timeout and the settle delay, refusing a
// settle delay a conversion of the old original could outlast.
func (c *PurgeConfig) defaults(logf func(string, ...any)) error {
	switch {
	case c.ConverterTimeout <= 0:
		c.ConverterTimeout = contract.ConverterTimeout
		if c.PurgeSettleDelay <= 0 {
			c.PurgeSettleDelay = contract.PurgeSettleDelay
		}
	case c.PurgeSettleDelay <= 0:
		c.PurgeSettleDelay = c.ConverterTimeout + 5*time.Second
	}
	// The converter stops converting contract.ResponseMargin/2 before its
	// deadline, to store and answer: a shorter timeout leaves it no time.
	if c.ConverterTimeout <= contract.ResponseMargin/2 {
		return fmt.Errorf("stack: ConverterTimeout %s must exceed %s, which the converter keeps to store and answer", c.ConverterTimeout, contract.ResponseMargin/2)
	}
	if c.PurgeSettleDelay <= c.ConverterTimeout {
		return fmt.Errorf("stack: PurgeSettleDelay %s must exceed ConverterTimeout %s: a conversion of the old original may store its variant until then", c.PurgeSettleDelay, c.ConverterTimeout)
	}
	if c.PurgeLog == nil {
		c.PurgeLog = purgeLogger(logf)
	}
	return nil
}

// startPurge builds the worker over the stack's buckets.
func (s *Stack) startPurge() {
	p := &purge.Purger{Source: purge.S3Source{Client: s.s3, Bucket: s.buckets.PrimarySource()}}
	for _, region := range s.cfg.Regions {
		bucket := s.buckets.Transformed(region)
		p.Buckets = append(p.Buckets, purge.S3Bucket{
			Client: s.s3, Name: bucket, In: region,
			// versitygw does not replicate, so it has no replication
			// status: the simulated replication answers.
			Pending: func(key string) bool { return s.Replicator.Pending(bucket, key) },
		})
	}
	s.queue = &localQueue{logf: s.logf, timers: map[*time.Timer]bool{}}
	s.purger = &purge.Worker{
		Purger:      p,
		Invalidator: cdnInvalidator{s},
		Queue:       s.queue,
		SettleDelay: s.cfg.PurgeSettleDelay,
		RetryDelay:  s.cfg.PurgeRetryDelay,
		Log:         s.cfg.PurgeLog,
	}
	s.queue.handle = s.purger.Handle
}

// localQueue stands in for the purge queue: each message is handed to the
// worker after its delay; one that fails comes again after purgeRetryDelay,
// up to purgeMaxAttempts times.
type localQueue struct {
	handle func(context.Context, []purge.Message) []string
	logf   func(string, ...any)

	mu     sync.Mutex
	seq    int
	timers map[*time.Timer]bool
	busy   sync.WaitGroup
	closed bool
}

// Send implements purge.Queue.
func (q *localQueue) Send(ctx context.Context, body string, delay time.Duration) error {
	q.deliver(ctx, body, min(max(delay, 0), purge.MaxDelay), 1)
	return nil
}

// deliver hands body to the worker after delay, with ctx's values but not
// its end: a queued message outlives the request that sent it.
func (q *localQueue) deliver(ctx context.Context, body string, delay time.Duration, attempt int) {
	ctx = context.WithoutCancel(ctx)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.seq++
	msg := purge.Message{ID: strconv.Itoa(q.seq), Body: body}
	q.busy.Add(1)
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		defer q.busy.Done()
		q.mu.Lock()
		delete(q.timers, t)
		q.mu.Unlock()
		if failed := q.handle(ctx, []purge.Message{msg}); len(failed) > 0 {
			if attempt >= purgeMaxAttempts {
				q.logf("purge: message %s failed %d times: dead-lettered: %s", msg.ID, attempt, body)
				return
			}
			q.deliver(ctx, body, purgeRetryDelay, attempt+1)
		}
	})
	q.timers[t] = true
}

// close drops the messages not delivered yet and waits for those being
// handled.
func (q *localQueue) close() {
	q.mu.Lock()
	q.closed = true
	for t := range q.timers {
		if t.Stop() {
			q.busy.Done()
		}
	}
	q.timers = map[*time.Timer]bool{}
	q.mu.Unlock()
	q.busy.Wait()
}

// notify sends the event S3 would send for a change of key in the main
// source bucket (event structure 2.1, the key form-encoded as S3 writes it),
// delivered after cfg.EventDelay.
func (s *Stack) notify(ctx context.Context, eventName, key string) {
	type object struct {
		Key string `json:"key"`
	}
	ev := map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": s.cfg.PrimaryRegion,
		"eventTime": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "eventName": eventName,
		"s3": map[string]any{
			"s3SchemaVersion": "1.0", "configurationId": "imgcells-purge",
			"bucket": map[string]any{"name": s.buckets.PrimarySource(), "arn": "arn:aws:s3:::" + s.buckets.PrimarySource()},
			"object": object{Key: url.QueryEscape(key)},
		},
	}}}
	body, _ := json.Marshal(ev) //nolint:errchkjson // maps of strings
	s.queue.deliver(ctx, string(body), s.cfg.EventDelay, 1)
}

// cdnInvalidator invalidates every simulated edge cache.
type cdnInvalidator struct{ s *Stack }

// Invalidate implements purge.Invalidator.
func (c cdnInvalidator) Invalidate(_ context.Context, paths []string) error {
	n := c.s.invalidate(paths)
	c.s.logf("invalidated %v: %d cached responses", paths, n)
	return nil
}

func (s *Stack) invalidate(paths []string) int {
	n := 0
	for _, r := range s.regions {
		for _, p := range paths {
			n += r.cache.Invalidate(p)
		}
	}
	s.invalidations.Add(int64(len(paths)))
	return n
}

// purgeLogger is the worker's logger: the stack's log function, one line a
// record.
func purgeLogger(logf func(string, ...any)) *slog.Logger {
	return slog.New(slog.NewTextHandler(logfWriter(logf), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// logfWriter writes each line through logf.
type logfWriter func(string, ...any)

func (w logfWriter) Write(p []byte) (int, error) {
	w("%s", bytes.TrimSuffix(p, []byte("\n")))
	return len(p), nil
}

// stackOutputs are the outputs a deployed stack exports for a purge by hand,
// plus where the local S3 server and the invalidation endpoint are.
func (s *Stack) stackOutputs(base string) purge.StackOutputs {
	o := purge.StackOutputs{
		PrimarySourceBucket: s.buckets.PrimarySource(),
		SourceBuckets:       map[string]string{},
		TransformedBuckets:  map[string]string{},
		DistributionID:      "local",
		Local: &purge.LocalOutputs{
			S3Endpoint: s.server.Endpoint, S3Region: s.server.Region,
			AccessKeyID: s.server.AccessKey, SecretAccessKey: s.server.SecretKey,
			InvalidationURL: base + "/_local/invalidations",
		},
	}
	for _, r := range s.cfg.Regions {
		o.SourceBuckets[r] = s.buckets.Source(r)
		o.TransformedBuckets[r] = s.buckets.Transformed(r)
	}
	return o
}

// Invalidations is how many invalidation paths the edge caches have received.
func (s *Stack) Invalidations() int64 { return s.invalidations.Load() }
