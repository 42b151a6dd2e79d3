// Package lambdaext lets the converter Lambda finish work after its answer
// has gone: it registers an internal extension with the Lambda Extensions
// API (the runtime's own process, one goroutine) that holds each invocation
// open until the work the handler left for it is done.
//
// Lambda returns a function's response as soon as the runtime posts it,
// without waiting for the extensions, and ends the invocation (and freezes
// the environment) only when the runtime and every extension have asked for
// the next event (AWS Compute Blog, "Performance and functionality
// improvements for AWS Lambda extensions", 2021; Lambda developer guide,
// "Lambda Extensions API"). The time after the response is billed and shows
// as the PostRuntimeExtensionsDuration metric. An internal extension must
// register before the runtime first asks for an invocation, and can only
// subscribe to INVOKE events.
//
// Use:
//
//	ext, err := lambdaext.Register(ctx, os.Getenv("AWS_LAMBDA_RUNTIME_API"), "imgcells-after-response", logger)
//	go ext.Run()
//	// in the handler wrapper, once the handler has returned:
//	ext.Finish(requestID, work) // work runs now; the invocation ends after it
package lambdaext

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Extensions API paths (API version 2020-01-01) and headers.
const (
	registerPath   = "/2020-01-01/extension/register"
	nextPath       = "/2020-01-01/extension/event/next"
	nameHeader     = "Lambda-Extension-Name"
	idHeader       = "Lambda-Extension-Identifier"
	invokeEvent    = "INVOKE"
	shutdownEvent  = "SHUTDOWN"
	responseLimit  = 1 << 20 // an event is a small JSON document
	deadlineMargin = 50 * time.Millisecond
)

// Extension is a registered internal extension. Its methods are safe for
// concurrent use.
type Extension struct {
	base   string
	id     string
	client *http.Client
	log    *slog.Logger

	mu      sync.Mutex
	stopped bool
	pending map[string]chan struct{} // by request ID: closed when its work is done
}

// Register registers an internal extension named name for INVOKE events
// with the Extensions API at runtimeAPI (AWS_LAMBDA_RUNTIME_API, host:port).
// Call it before the runtime asks for its first invocation.
func Register(ctx context.Context, runtimeAPI, name string, logger *slog.Logger) (*Extension, error) {
	if runtimeAPI == "" {
		return nil, errors.New("lambdaext: no runtime API address (AWS_LAMBDA_RUNTIME_API is unset)")
	}
	if logger == nil {
		logger = slog.Default()
	}
	e := &Extension{
		base: "http://" + runtimeAPI,
		// No timeout: the next-event call waits, by design, until an
		// invocation arrives (the environment is frozen meanwhile).
		client:  &http.Client{},
		log:     logger,
		pending: map[string]chan struct{}{},
	}
	body, err := json.Marshal(map[string][]string{"events": {invokeEvent}})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+registerPath, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("lambdaext: %w", err)
	}
	req.Header.Set(nameHeader, name)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lambdaext: registering: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, responseLimit))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("lambdaext: registering: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	if e.id = resp.Header.Get(idHeader); e.id == "" {
		return nil, fmt.Errorf("lambdaext: registering: no %s in the answer", idHeader)
	}
	return e, nil
}

// event is the part of an Extensions API event the extension reads.
type event struct {
	EventType  string `json:"eventType"`
	RequestID  string `json:"requestId"`
	DeadlineMs int64  `json:"deadlineMs"`
}

// Run asks for events until the API fails (the environment is going away):
// for each invocation it waits until Finish's work for that request is
// done, or until shortly before the invocation's deadline, and then asks
// for the next event, which ends the invocation as far as the extension is
// concerned. It returns the error that stopped it; after that Finish does
// the work itself.
func (e *Extension) Run() error {
	for {
		ev, err := e.next()
		if err != nil {
			e.stop()
			e.log.Error("after-response extension stopped", "error", err.Error())
			return err
		}
		switch ev.EventType {
		case invokeEvent:
			var deadline time.Time // none given: the work's own context bounds it
			if ev.DeadlineMs > 0 {
				deadline = time.UnixMilli(ev.DeadlineMs)
			}
			e.wait(ev.RequestID, deadline)
		case shutdownEvent:
			e.stop()
			return nil
		}
	}
}

func (e *Extension) next() (event, error) {
	req, err := http.NewRequest(http.MethodGet, e.base+nextPath, nil)
	if err != nil {
		return event{}, err
	}
	req.Header.Set(idHeader, e.id)
	resp, err := e.client.Do(req)
	if err != nil {
		return event{}, fmt.Errorf("asking for the next event: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, responseLimit))
	if err != nil {
		return event{}, fmt.Errorf("reading the next event: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return event{}, fmt.Errorf("asking for the next event: %s: %s", resp.Status, bytes.TrimSpace(raw))
	}
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return event{}, fmt.Errorf("decoding the next event: %w", err)
	}
	return ev, nil
}

// done returns the channel closed when requestID's work is done, making it
// if neither Finish nor wait has yet.
func (e *Extension) done(requestID string) chan struct{} {
	ch, ok := e.pending[requestID]
	if !ok {
		ch = make(chan struct{})
		e.pending[requestID] = ch
	}
	return ch
}

// wait blocks until requestID's work is done or deadline (less a margin,
// so the extension answers before Lambda times the invocation out) passes;
// a zero deadline waits for the work.
func (e *Extension) wait(requestID string, deadline time.Time) {
	e.mu.Lock()
	ch := e.done(requestID)
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.pending, requestID)
		e.mu.Unlock()
	}()
	if deadline.IsZero() {
		<-ch
		return
	}
	left := time.Until(deadline) - deadlineMargin
	if left <= 0 {
		select {
		case <-ch:
		default:
			e.log.Warn("after-response work outlived its invocation", "request_id", requestID)
		}
		return
	}
	timer := time.NewTimer(left)
	defer timer.Stop()
	select {
	case <-ch:
	case <-timer.C:
		e.log.Warn("after-response work outlived its invocation", "request_id", requestID)
	}
}

// Finish runs work for the invocation requestID, which ends once work
// returns. It returns at once while the extension runs; once it has
// stopped, it runs work itself and returns when it is done. A nil work
// ends the invocation now.
func (e *Extension) Finish(requestID string, work func()) {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		if work != nil {
			work()
		}
		return
	}
	ch := e.done(requestID)
	e.mu.Unlock()
	if work == nil {
		close(ch)
		return
	}
	go func() {
		defer close(ch)
		work()
	}()
}

func (e *Extension) stop() {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
}
