package purge

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// memSource is an in-memory main source bucket: key → ETag.
type memSource struct {
	mu  sync.Mutex
	cur map[string]string
	err error
}

func (s *memSource) Current(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", false, s.err
	}
	e, ok := s.cur[key]
	return e, ok, nil
}

func (s *memSource) set(key, etag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if etag == "" {
		delete(s.cur, key)
		return
	}
	s.cur[key] = etag
}

// memBucket is an in-memory transformed bucket.
type memBucket struct {
	region  string
	mu      sync.Mutex
	objects map[string]Variant
	deletes []string
	err     error
	// onList, when set, runs after each listing (a replica landing then).
	onList func()
}

func newBucket(region string) *memBucket {
	return &memBucket{region: region, objects: map[string]Variant{}}
}

func (b *memBucket) Region() string { return b.region }

func (b *memBucket) put(key, sourceETag string, pending bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objects[key] = Variant{SourceETag: sourceETag, Pending: pending}
}

func (b *memBucket) keys() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for k := range b.objects {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (b *memBucket) Variants(_ context.Context, original string) ([]string, error) {
	b.mu.Lock()
	if b.err != nil {
		b.mu.Unlock()
		return nil, b.err
	}
	var out []string
	for k := range b.objects {
		if rest, ok := strings.CutPrefix(k, original+"/"); ok && !strings.Contains(rest, "/") {
			out = append(out, k)
		}
	}
	hook := b.onList
	b.mu.Unlock()
	if hook != nil {
		hook()
	}
	slices.Sort(out)
	return out, nil
}

func (b *memBucket) Inspect(_ context.Context, key string) (Variant, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.objects[key]
	return v, ok, nil
}

func (b *memBucket) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if v, ok := b.objects[key]; ok && v.Pending {
		return errors.New("deleted a variant whose replication is pending")
	}
	delete(b.objects, key)
	b.deletes = append(b.deletes, key)
	return nil
}

// memQueue records what the worker queues.
type memQueue struct {
	mu   sync.Mutex
	sent []queued
	err  error
}

type queued struct {
	body  string
	delay time.Duration
}

func (q *memQueue) Send(_ context.Context, body string, delay time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	q.sent = append(q.sent, queued{body, delay})
	return nil
}

// memInvalidator records invalidations.
type memInvalidator struct {
	mu    sync.Mutex
	calls [][]string
	err   error
}

func (m *memInvalidator) Invalidate(_ context.Context, paths []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, slices.Clone(paths))
	return m.err
}
