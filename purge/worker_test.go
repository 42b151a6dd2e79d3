package purge

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// s3Event is a notification as S3 writes it (event structure 2.1): the key
// form-encoded, so a space is "+" and a "+" is "%2B".
func s3Event(name, key string, at time.Time) string {
	return `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",` +
		`"eventTime":"` + at.UTC().Format("2006-01-02T15:04:05.000Z") + `","eventName":"` + name + `",` +
		`"s3":{"s3SchemaVersion":"1.0","configurationId":"purge","bucket":{"name":"imgcells-source","arn":"arn:aws:s3:::imgcells-source"},` +
		`"object":{"key":"` + url.QueryEscape(key) + `","size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"0055AED6DCD90281E5"}}}]}`
}

const testEvent = `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-01-01T00:00:00.000Z","Bucket":"imgcells-source","RequestId":"X","HostId":"Y"}`

func TestParseReadsS3EventsTestEventsAndSettleChecks(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, key := range []string{"with space/shoe 1.jpg", "a+b.jpg", "ünïcødé/фото.jpg", "100%/x.jpg"} {
		for _, name := range []string{"ObjectCreated:Put", "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"} {
			changes, st, err := parse(s3Event(name, key, at))
			if err != nil || st != nil || len(changes) != 1 || changes[0].Key != key || !changes[0].Time.Equal(at) {
				t.Errorf("%s %q: %+v %+v %v", name, key, changes, st, err)
			}
		}
	}
	if _, _, err := parse(testEvent); !errors.Is(err, errIgnore) {
		t.Errorf("test event: %v, want ignored", err)
	}
	if _, _, err := parse(s3Event("ObjectRestore:Completed", "a.jpg", at)); !errors.Is(err, errIgnore) {
		t.Errorf("restore event: %v, want ignored", err)
	}
	if _, _, err := parse(s3Event("ObjectCreated:Put", "a//b.jpg", at)); !errors.Is(err, errIgnore) {
		t.Errorf("a key the CDN cannot serve: %v, want ignored", err)
	}
	s := settle{Key: "a b.jpg", After: at, Since: at, Attempt: 2}
	if _, got, err := parse(s.body()); err != nil || got == nil || *got != s {
		t.Errorf("settle: %+v %v, want %+v", got, err, s)
	}
	for _, bad := range []string{"", "not json", `{"Records":[]}`, `{"imgcellsSettle":{"key":"../x"}}`, `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"%zz"}}}]}`} {
		if _, _, err := parse(bad); err == nil || errors.Is(err, errIgnore) {
			t.Errorf("parse(%q) = %v, want an error", bad, err)
		}
	}
}

type workerHarness struct {
	src   *memSource
	a, b  *memBucket
	queue *memQueue
	inv   *memInvalidator
	now   time.Time
	w     *Worker
}

func newWorker() *workerHarness {
	src, a, b, p := twoRegions()
	h := &workerHarness{src: src, a: a, b: b, queue: &memQueue{}, inv: &memInvalidator{},
		now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	h.w = &Worker{Purger: p, Invalidator: h.inv, Queue: h.queue, SettleDelay: 35 * time.Second, RetryDelay: 20 * time.Second,
		GiveUpAfter: time.Hour, Now: func() time.Time { return h.now }}
	return h
}

// takeQueued returns what was queued since the last call, as messages.
func (h *workerHarness) takeQueued(t *testing.T) ([]Message, []time.Duration) {
	t.Helper()
	h.queue.mu.Lock()
	defer h.queue.mu.Unlock()
	var msgs []Message
	var delays []time.Duration
	for i, q := range h.queue.sent {
		msgs = append(msgs, Message{ID: "settle-" + string(rune('a'+i)), Body: q.body})
		delays = append(delays, q.delay)
	}
	h.queue.sent = nil
	return msgs, delays
}

func TestWorkerPurgesAtOnceThenSettles(t *testing.T) {
	h := newWorker()
	h.src.set("a b.jpg", "v2")
	h.a.put("a b.jpg"+webp640, "v1", false)
	h.b.put("a b.jpg"+webp640, "v1", true) // stored just before the overwrite, still replicating
	h.b.put("a b.jpg"+jpeg320, "v2", false)

	changed := h.now.Add(-2 * time.Second)
	failed := h.w.Handle(context.Background(), []Message{
		{ID: "1", Body: s3Event("ObjectCreated:Put", "a b.jpg", changed)},
		{ID: "2", Body: s3Event("ObjectCreated:Put", "a b.jpg", changed.Add(-time.Second))}, // an older event, delivered late
		{ID: "3", Body: testEvent},
	})
	if len(failed) != 0 {
		t.Fatalf("failed %v", failed)
	}
	if got := h.a.keys(); len(got) != 0 {
		t.Errorf("eu-west-1 still holds %v", got)
	}
	if got := h.b.keys(); len(got) != 2 {
		t.Errorf("us-east-1 holds %v, want the fresh and the pending variant", got)
	}
	if len(h.inv.calls) != 1 || !slices.Equal(h.inv.calls[0], []string{"/a%20b.jpg/*"}) {
		t.Errorf("invalidations %v", h.inv.calls)
	}
	msgs, delays := h.takeQueued(t)
	if len(msgs) != 1 || delays[0] != 33*time.Second {
		t.Fatalf("queued %v with delays %v; want one settle check 35 s after the change", msgs, delays)
	}

	// Due, but the stale variant still replicates: the check comes again.
	h.now = changed.Add(35 * time.Second)
	if failed := h.w.Handle(context.Background(), msgs); len(failed) != 0 {
		t.Fatalf("failed %v", failed)
	}
	if len(h.inv.calls) != 1 {
		t.Errorf("invalidated before settling: %v", h.inv.calls)
	}
	msgs, delays = h.takeQueued(t)
	if len(msgs) != 1 || delays[0] != 20*time.Second || !strings.Contains(msgs[0].Body, `"attempt":2`) {
		t.Fatalf("queued %v %v; want the check again in 20 s", msgs, delays)
	}

	// Replicated (and a copy landed in eu-west-1): purged everywhere, invalidated again.
	h.b.put("a b.jpg"+webp640, "v1", false)
	h.a.put("a b.jpg"+webp640, "v1", false)
	h.now = h.now.Add(20 * time.Second)
	if failed := h.w.Handle(context.Background(), msgs); len(failed) != 0 {
		t.Fatalf("failed %v", failed)
	}
	if got := append(h.a.keys(), h.b.keys()...); !slices.Equal(got, []string{"a b.jpg" + jpeg320}) {
		t.Errorf("left %v, want only the fresh variant", got)
	}
	if len(h.inv.calls) != 2 {
		t.Errorf("invalidations %v, want a second one once settled", h.inv.calls)
	}
	if msgs, _ := h.takeQueued(t); len(msgs) != 0 {
		t.Errorf("queued %v after settling", msgs)
	}
}

func TestWorkerRetriesFailures(t *testing.T) {
	h := newWorker()
	h.src.set("k.jpg", "v2")
	h.a.put("k.jpg"+webp640, "v1", false)

	// A failed invalidation fails the messages whose purge it ends.
	h.inv.err = errors.New("TooManyInvalidationsInProgress")
	failed := h.w.Handle(context.Background(), []Message{{ID: "e1", Body: s3Event("ObjectRemoved:DeleteMarkerCreated", "k.jpg", h.now)}, {ID: "junk", Body: "{}"}})
	if !slices.Equal(failed, []string{"e1", "junk"}) {
		t.Errorf("failed %v, want e1 (invalidation) and junk (unreadable)", failed)
	}
	h.inv.err = nil

	// A failed pass fails its message and invalidates nothing for it.
	h.src.err = errors.New("main bucket unreachable")
	if failed := h.w.Handle(context.Background(), []Message{{ID: "e2", Body: s3Event("ObjectCreated:Put", "k.jpg", h.now)}}); !slices.Equal(failed, []string{"e2"}) {
		t.Errorf("failed %v, want e2", failed)
	}
	h.src.err = nil

	// A settle check that waited too long for replication fails for good.
	h.a.put("k.jpg"+webp640, "v1", true)
	s := settle{Key: "k.jpg", After: h.now.Add(-2 * time.Hour), Since: h.now.Add(-2 * time.Hour), Attempt: 300}
	if failed := h.w.Handle(context.Background(), []Message{{ID: "s1", Body: s.body()}}); !slices.Equal(failed, []string{"s1"}) {
		t.Errorf("failed %v, want s1", failed)
	}

	// A queue that refuses the settle check fails the event: it comes again.
	h.queue.err = errors.New("queue unavailable")
	if failed := h.w.Handle(context.Background(), []Message{{ID: "e3", Body: s3Event("ObjectCreated:Put", "other.jpg", h.now)}}); !slices.Equal(failed, []string{"e3"}) {
		t.Errorf("failed %v, want e3", failed)
	}
}

func TestWorkerCoalescesABurstIntoFewPaths(t *testing.T) {
	h := newWorker()
	var msgs []Message
	for i := range 30 {
		key := "products/p" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".jpg"
		msgs = append(msgs, Message{ID: key, Body: s3Event("ObjectCreated:Put", key, h.now)})
	}
	if failed := h.w.Handle(context.Background(), msgs); len(failed) != 0 {
		t.Fatalf("failed %v", failed)
	}
	if len(h.inv.calls) != 1 || len(h.inv.calls[0]) > MaxWildcards {
		t.Errorf("invalidations %v, want one of at most %d paths", h.inv.calls, MaxWildcards)
	}
}

func TestHandleSQSReportsBatchItemFailures(t *testing.T) {
	h := newWorker()
	resp, err := h.w.HandleSQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "ok", Body: testEvent}, {MessageId: "bad", Body: "garbage"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"batchItemFailures":[{"itemIdentifier":"bad"}]}` {
		t.Errorf("response %s", b)
	}
}
