package stack

import (
	"context"
	"sync"

	"imgcells/converter/httpapi"
)

// afterWork runs what converters leave for after their answers (storing the
// variant; see httpapi.After) in goroutines, as the deployed Lambda's
// extension does after the response has gone, and lets Settle wait for it.
type afterWork struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0; replaced when work starts
}

// start runs a.Run in a goroutine unless it has nothing to do.
func (w *afterWork) start(a *httpapi.After) {
	if !a.Pending() {
		return
	}
	w.mu.Lock()
	if w.n == 0 {
		w.idle = make(chan struct{})
	}
	w.n++
	w.mu.Unlock()
	go func() {
		defer func() {
			w.mu.Lock()
			if w.n--; w.n == 0 {
				close(w.idle)
			}
			w.mu.Unlock()
		}()
		a.Run()
	}()
}

// idleCh is closed once no work is under way (nil: none is now).
func (w *afterWork) idleCh() chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 {
		return nil
	}
	return w.idle
}

// wait returns once no work is under way, or when ctx ends.
func (w *afterWork) wait(ctx context.Context) error {
	idle := w.idleCh()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain returns once no work is under way: each store is bounded by its
// converter's timeout.
func (w *afterWork) drain() {
	if idle := w.idleCh(); idle != nil {
		<-idle
	}
}

// Settle waits until every variant the converters have answered with is
// stored (or its store has failed): the converters answer first and store
// after, as deployed, so a request that must find the variant in the
// transformed bucket, or a test that looks there, settles first.
func (s *Stack) Settle(ctx context.Context) error {
	return s.after.wait(ctx)
}
