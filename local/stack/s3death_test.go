package stack

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// logLines collects a stack's log lines.
type logLines struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	l.t.Log(line)
}

// count is the number of lines containing s.
func (l *logLines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// kill ends a versitygw process this test started.
func kill(t *testing.T, pid int) {
	t.Helper()
	p, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
}

// When the S3 server the stack started dies, the stack says so in one log
// line, stops replicating (no retries logged ten times a second), reports
// it through Failed and Err, and answers 503 with the reason instead of
// trying every bucket and answering 500.
func TestStackReportsItsS3ServerDying(t *testing.T) {
	logs := &logLines{t: t}
	st := newTestStack(t, Config{Images: imagesDir(t, "photo.jpg"), ReplicationTick: 10 * time.Millisecond, Logf: logs.logf})
	if st.Err() != nil {
		t.Fatalf("Err before anything failed: %v", st.Err())
	}
	pid := st.S3ServerPID()
	kill(t, pid)
	select {
	case <-st.Failed():
	case <-time.After(30 * time.Second):
		t.Fatal("the stack did not notice its S3 server dying within 30s")
	}
	want := fmt.Sprintf("versitygw, pid %d) exited", pid)
	if err := st.Err(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Err = %v, want it to say %q", err, want)
	}
	rec := httptest.NewRecorder()
	st.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/photo.jpg?width=100", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), want) {
		t.Errorf("after the S3 server died: %d %q, want a 503 saying why", rec.Code, rec.Body.String())
	}
	// Replication has stopped: give a running pass time to end, then at
	// most that one pass has logged a failure (every 10 ms, it would log
	// dozens).
	time.Sleep(500 * time.Millisecond)
	if n := logs.count(want); n != 1 {
		t.Errorf("%d log lines say the server exited, want 1", n)
	}
	if n := logs.count("replication: "); n > 1 {
		t.Errorf("%d replication failures logged after the S3 server died, want at most 1", n)
	}
}

// While an S3 server the stack did not start is down, replication waits
// longer after each failed pass (tick, 2×, 4×, …) and logs once a pass,
// instead of asking and logging every tick.
func TestReplicatorBacksOffWhileS3IsDown(t *testing.T) {
	srv := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := Buckets{Prefix: "t", PrimaryRegion: "us-east-1", Regions: []string{"us-east-1", "eu-west-1"}}
	if err := b.create(ctx, clientFor(srv, "us-east-1")); err != nil {
		t.Fatal(err)
	}
	const tick = 10 * time.Millisecond
	r := newReplicator(clientFor(srv, "us-east-1"), b, 0)
	var mu sync.Mutex
	var waits []time.Duration
	r.after = func(d time.Duration) <-chan time.Time {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return time.After(tick) // the test need not sit through the waits
	}
	logs := &logLines{t: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx, tick, logs.logf)
	}()
	waitFor := func(what string, ok func(n int) bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(waits)
			mu.Unlock()
			if ok(n) {
				return
			}
		}
		t.Fatalf("no %s within 60s", what)
	}
	waitFor("three passes", func(n int) bool { return n >= 3 })
	kill(t, srv.PID())
	waitFor("six failed passes", func(int) bool { return logs.count("replication: ") >= 6 })
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	i := 0
	for i < len(waits) && waits[i] == tick {
		i++
	}
	if i < 3 {
		t.Fatalf("waits %v: want tick while the passes succeed", waits)
	}
	for j, want := i, 2*tick; j < len(waits); j, want = j+1, min(2*want, maxBackoff) {
		if waits[j] != want {
			t.Fatalf("waits %v: the %dth is %s, want %s (doubling from the first failure)", waits, j, waits[j], want)
		}
	}
	if failed := len(waits) - i; logs.count("replication: ") != failed {
		t.Errorf("%d failure lines for %d failed passes, want one a pass", logs.count("replication: "), failed)
	}
}

func TestBackoff(t *testing.T) {
	tick := 200 * time.Millisecond
	for failures, want := range []time.Duration{tick, 2 * tick, 4 * tick, 8 * tick, 16 * tick, 32 * tick, maxBackoff, maxBackoff} {
		if got := backoff(tick, failures); got != want {
			t.Errorf("backoff(%s, %d) = %s, want %s", tick, failures, got, want)
		}
	}
	if got := backoff(20*time.Second, 3); got != 20*time.Second {
		t.Errorf("a tick over the cap: backoff = %s, want the tick", got)
	}
}
