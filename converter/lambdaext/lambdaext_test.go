package lambdaext

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI is the Extensions API as Lambda serves it to one extension: it
// registers it and hands out the events queued on events, one per
// next-event call, recording what each call saw.
type fakeAPI struct {
	t        *testing.T
	srv      *httptest.Server
	events   chan string // raw event bodies; closing it fails the next call
	nexts    chan struct{}
	regName  atomic.Value
	regBody  atomic.Value
	failNext atomic.Bool
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{t: t, events: make(chan string, 8), nexts: make(chan struct{}, 8)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == registerPath:
			body, _ := io.ReadAll(r.Body)
			f.regName.Store(r.Header.Get(nameHeader))
			f.regBody.Store(string(body))
			w.Header().Set(idHeader, "ext-id-1")
			fmt.Fprint(w, `{"functionName":"f","functionVersion":"$LATEST","handler":"bootstrap"}`)
		case r.Method == http.MethodGet && r.URL.Path == nextPath:
			if r.Header.Get(idHeader) != "ext-id-1" {
				http.Error(w, "unknown extension", http.StatusForbidden)
				return
			}
			f.nexts <- struct{}{}
			ev, ok := <-f.events
			if !ok || f.failNext.Load() {
				http.Error(w, `{"errorType":"Extension.Gone"}`, http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, ev)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) addr() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func invoke(requestID string, deadline time.Time) string {
	return fmt.Sprintf(`{"eventType":"INVOKE","requestId":%q,"deadlineMs":%d,"invokedFunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}`,
		requestID, deadline.UnixMilli())
}

// awaitNext waits for the extension's next next-event call.
func (f *fakeAPI) awaitNext() {
	f.t.Helper()
	select {
	case <-f.nexts:
	case <-time.After(10 * time.Second):
		f.t.Fatal("the extension never asked for the next event")
	}
}

// checkHeldUntilDone gives requestID (whose event is on its way) work that
// blocks, and checks that the extension asks for the next event only once
// the work is done.
func (f *fakeAPI) checkHeldUntilDone(e *Extension, requestID string) {
	f.t.Helper()
	release := make(chan struct{})
	var finished atomic.Bool
	e.Finish(requestID, func() {
		<-release
		finished.Store(true)
	})
	// Had the extension not waited, its next call would come now, with
	// the work still blocked.
	select {
	case <-f.nexts:
		f.t.Fatal("the extension asked for the next event before the work was done")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	f.awaitNext()
	if !finished.Load() {
		f.t.Error("the invocation ended before the work")
	}
}

func register(t *testing.T, f *fakeAPI) (*Extension, chan error) {
	t.Helper()
	e, err := Register(context.Background(), f.addr(), "imgcells-after-response", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Run() }()
	t.Cleanup(func() {
		close(f.events)
		if err := <-done; err != nil {
			t.Logf("Run: %v", err) // the tests that stop it check why
		}
	})
	return e, done
}

func TestRegistersForInvokeEventsByName(t *testing.T) {
	f := newFakeAPI(t)
	register(t, f)
	if got := f.regName.Load(); got != "imgcells-after-response" {
		t.Errorf("registered as %v", got)
	}
	var body struct{ Events []string }
	if err := json.Unmarshal([]byte(f.regBody.Load().(string)), &body); err != nil || len(body.Events) != 1 || body.Events[0] != "INVOKE" {
		t.Errorf("register body %v (%v), want events [INVOKE] only (an internal extension cannot have SHUTDOWN)", f.regBody.Load(), err)
	}
}

func TestRegisterRefusalIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"errorMessage":"registration closed"}`, http.StatusForbidden)
	}))
	defer srv.Close()
	_, err := Register(context.Background(), strings.TrimPrefix(srv.URL, "http://"), "x", nil)
	if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "registration closed") {
		t.Errorf("err = %v, want the 403 and its message", err)
	}
	if _, err := Register(context.Background(), "", "x", nil); err == nil {
		t.Error("no runtime API address: want an error")
	}
}

// The invocation lasts (the extension does not ask for the next event)
// until the work Finish was given is done.
func TestInvocationLastsUntilTheWorkIsDone(t *testing.T) {
	f := newFakeAPI(t)
	e, _ := register(t, f)
	f.awaitNext() // init: the extension is ready

	f.events <- invoke("req-1", time.Now().Add(time.Minute))
	f.checkHeldUntilDone(e, "req-1")

	// Work done before the event reaches the extension, and no work.
	done2 := make(chan struct{})
	e.Finish("req-2", func() { close(done2) })
	<-done2
	f.events <- invoke("req-2", time.Now().Add(time.Minute))
	f.awaitNext()
	f.events <- invoke("req-3", time.Now().Add(time.Minute))
	e.Finish("req-3", nil)
	f.awaitNext()
	e.mu.Lock()
	left := len(e.pending)
	e.mu.Unlock()
	if left != 0 {
		t.Errorf("%d requests still tracked after their invocations ended", left)
	}
}

// Work that outlives its invocation does not hold the next one: the
// extension answers just before the deadline.
func TestWorkPastTheDeadlineIsLetGo(t *testing.T) {
	f := newFakeAPI(t)
	e, _ := register(t, f)
	f.awaitNext()
	stuck := make(chan struct{})
	defer close(stuck)
	f.events <- invoke("req-1", time.Now().Add(300*time.Millisecond))
	e.Finish("req-1", func() { <-stuck })
	f.awaitNext()
}

// Once the API fails (the environment is going) or sends SHUTDOWN, Run
// returns and Finish does the work itself before it returns.
func TestAfterRunStopsFinishWorksInline(t *testing.T) {
	for _, c := range []struct {
		name, event string
		fail        bool
		wantErr     string // "": Run returns nil
	}{
		{"api fails", invoke("req-1", time.Now().Add(time.Minute)), true, "500"},
		{"shutdown", `{"eventType":"SHUTDOWN","shutdownReason":"spindown","deadlineMs":0}`, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeAPI(t)
			e, done := register(t, f)
			f.awaitNext()
			f.failNext.Store(c.fail)
			f.events <- c.event
			select {
			case err := <-done:
				if (c.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
					t.Errorf("Run returned %v, want %q", err, c.wantErr)
				}
				done <- err // for the cleanup
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return")
			}
			var ran bool
			e.Finish("req-2", func() { ran = true })
			if !ran {
				t.Error("Finish returned before doing the work itself")
			}
		})
	}
}

// An event without a deadline (Lambda always sends one) waits for the work,
// which its own context bounds, rather than ending the invocation under it.
func TestNoDeadlineWaitsForTheWork(t *testing.T) {
	f := newFakeAPI(t)
	e, _ := register(t, f)
	f.awaitNext()
	f.events <- `{"eventType":"INVOKE","requestId":"req-1"}`
	f.checkHeldUntilDone(e, "req-1")
}
