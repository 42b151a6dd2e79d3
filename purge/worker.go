package purge

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"imgcells/contract"
)

// Worker turns queued messages into purges. For an S3 event it purges at
// once (the fast path: most stale variants go within seconds) and queues a
// settle check for when no stale variant can be stored any more
// (SettleDelay after the change); the settle check repeats, RetryDelay
// apart, while stale variants still wait for their replication. Each purge
// that finishes ends in one invalidation for the whole batch.
type Worker struct {
	Purger      *Purger
	Invalidator Invalidator
	Queue       Queue
	SettleDelay time.Duration // 0: contract.PurgeSettleDelay
	RetryDelay  time.Duration // 0: 20 s
	GiveUpAfter time.Duration // 0: 6 h; then the message fails for good (the dead-letter queue)
	Log         *slog.Logger  // nil: slog.Default()
	Now         func() time.Time
}

// job is everything a batch asks for one key.
type job struct {
	ids    []string
	change *change // the latest event's
	settle *settle // the settle check, if one came
	done   bool    // purged and settled enough to invalidate
	err    error
}

// Handle processes one batch and returns the ids of the messages that must
// come again (their purge or its invalidation failed).
func (w *Worker) Handle(ctx context.Context, msgs []Message) []string {
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	jobs := map[string]*job{}
	var failed []string
	for _, m := range msgs {
		changes, st, err := parse(m.Body)
		switch {
		case errors.Is(err, errIgnore):
			continue
		case err != nil:
			log.Error("purge: unreadable message", "id", m.ID, "error", err.Error())
			failed = append(failed, m.ID)
			continue
		}
		add := func(key string) *job {
			j := jobs[key]
			if j == nil {
				j = &job{}
				jobs[key] = j
			}
			j.ids = append(j.ids, m.ID)
			return j
		}
		for _, c := range changes {
			j := add(c.Key)
			if j.change == nil || c.Time.After(j.change.Time) {
				j.change = &c
			}
		}
		if st != nil {
			add(st.Key).settle = st
		}
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for key, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			w.run(ctx, log, key, j)
		})
	}
	wg.Wait()

	var done []string
	for _, key := range slices.Sorted(maps.Keys(jobs)) {
		if j := jobs[key]; j.err == nil && j.done {
			done = append(done, key)
		}
	}
	var invErr error
	if len(done) > 0 {
		paths := Paths(done, MaxWildcards)
		invErr = w.Invalidator.Invalidate(ctx, paths)
		log.Info("purge: invalidated", "keys", len(done), "paths", paths, "error", errString(invErr))
	}
	for _, key := range slices.Sorted(maps.Keys(jobs)) {
		j := jobs[key]
		if j.err != nil || (invErr != nil && j.done) {
			failed = append(failed, j.ids...)
		}
	}
	slices.Sort(failed)
	return slices.Compact(failed)
}

// run does a key's purge: the fast pass for an event, the settle passes for
// a due settle check.
func (w *Worker) run(ctx context.Context, log *slog.Logger, key string, j *job) {
	now := w.now()
	if c := j.change; c != nil {
		r, err := w.Purger.Pass(ctx, key, false)
		logReport(ctx, log, "changed", r, err)
		if err != nil {
			j.err = err
			return
		}
		at := c.Time
		if at.IsZero() || at.After(now) {
			at = now
		}
		next := settle{Key: key, After: at.Add(w.settleDelay()), Since: at, Attempt: 1}
		if j.err = w.Queue.Send(ctx, next.body(), next.After.Sub(now)); j.err != nil {
			return
		}
		j.done = true
	}
	s := j.settle
	if s == nil {
		return
	}
	if now.Before(s.After) {
		// Early (a delay longer than the queue's): wait the rest.
		j.err = w.Queue.Send(ctx, s.body(), s.After.Sub(now))
		return
	}
	r, settled, err := w.Purger.Settle(ctx, key, s.Force)
	logReport(ctx, log, "settle", r, err)
	switch {
	case err != nil:
		j.err = err
	case settled:
		j.done = true
	case now.Sub(s.Since) > w.giveUpAfter():
		j.err = errors.New("stale variants still wait for their replication")
		log.Error("purge: giving up", "key", key, "pending", r.Pending, "since", s.Since)
	default:
		next := *s
		next.Attempt++
		j.err = w.Queue.Send(ctx, next.body(), w.retryDelay())
	}
}

func logReport(ctx context.Context, log *slog.Logger, what string, r Report, err error) {
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelError
	}
	log.Log(ctx, level, "purge: "+what, "key", r.Key, "exists", r.Exists, "etag", r.ETag,
		"kept", r.Kept, "deleted", r.Deleted, "pending", r.Pending, "error", errString(err))
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) settleDelay() time.Duration {
	if w.SettleDelay > 0 {
		return w.SettleDelay
	}
	return contract.PurgeSettleDelay
}

func (w *Worker) retryDelay() time.Duration {
	if w.RetryDelay > 0 {
		return w.RetryDelay
	}
	return 20 * time.Second
}

func (w *Worker) giveUpAfter() time.Duration {
	if w.GiveUpAfter > 0 {
		return w.GiveUpAfter
	}
	return 6 * time.Hour
}

// HandleSQS is the Lambda handler of the purge function: an SQS batch in,
// the messages to retry out (the event source mapping reports batch item
// failures).
func (w *Worker) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	msgs := make([]Message, len(ev.Records))
	for i, r := range ev.Records {
		msgs[i] = Message{ID: r.MessageId, Body: r.Body}
	}
	var resp events.SQSEventResponse
	for _, id := range w.Handle(ctx, msgs) {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	return resp, nil
}
