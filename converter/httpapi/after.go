package httpapi

import (
	"context"
	"sync"
)

// After holds the work a request leaves for after its answer: storing the
// variant, then the request's log line. A host that can answer first and
// finish later gives Handle a context from WithAfter and, once Handle has
// returned and the response is on its way, calls Run. On Lambda the
// bootstrap's internal extension (package lambdaext) keeps the invocation
// open until Run returns; the local stack runs it in a goroutine. Without
// an After in its context Handle stores before it answers.
//
// An answer never waits for S3's write of the variant: the viewer gets the
// image as soon as it is encoded, and the next miss of the same variant
// (while the write is still under way) converts again, the conditional
// write keeping one copy.
type After struct {
	mu   sync.Mutex
	work []func()
}

type afterKey struct{}

// WithAfter returns ctx carrying a fresh After for one Handle call.
func WithAfter(ctx context.Context) (context.Context, *After) {
	a := &After{}
	return context.WithValue(ctx, afterKey{}, a), a
}

func afterFrom(ctx context.Context) *After {
	a, _ := ctx.Value(afterKey{}).(*After)
	return a
}

// add queues fn for Run.
func (a *After) add(fn func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.work = append(a.work, fn)
}

// Pending reports whether Run has work to do.
func (a *After) Pending() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.work) > 0
}

// Run does the queued work, in order, and returns when it is done. It is
// meant to be called once, after Handle has returned; a later call finds
// nothing queued.
func (a *After) Run() {
	a.mu.Lock()
	work := a.work
	a.work = nil
	a.mu.Unlock()
	for _, fn := range work {
		fn()
	}
}

// detached is ctx without its cancellation (Lambda's runtime and net/http
// cancel a request's context once it is answered) but with its deadline:
// the invocation's end still bounds the work.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	c := context.WithoutCancel(ctx)
	if !ok {
		return context.WithCancel(c)
	}
	return context.WithDeadline(c, d)
}
