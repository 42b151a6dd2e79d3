// Package arrive holds a file that is still being received: a buffer of its
// whole length that a reader fills in the background, so that work on its
// first bytes (checking an image's headers, decoding its first scans) can
// start while the rest is on the network. The converter's decoder reads
// the byte count and the state from C, so both are plain words updated
// with sync/atomic, each in its own allocation.
package arrive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// The states of a Buffer, which the C decoder reads too (jpegturbo checks
// its own enum against them).
const (
	Arriving int32 = 0 // more bytes will come
	Complete int32 = 1 // every byte is there
	Failed   int32 = 2 // no more bytes will come: Err says why
)

// ErrTruncated is a body that ended before its announced length.
var ErrTruncated = errors.New("the body ended before its length")

// ErrStalled is a body that sent nothing for longer than its Watch allows,
// as many times as the Watch could resume it.
var ErrStalled = errors.New("the body stopped arriving")

// Buffer is a file of known length arriving in order.
type Buffer struct {
	data  []byte
	n     *int64 // bytes there, atomic
	state *int32 // Arriving, Complete or Failed, atomic

	mu        sync.Mutex
	err       error
	wake      chan struct{} // closed, and replaced, at each change
	body      io.Closer     // the body being read (a resumed one after a stall)
	abort     func()        // unblocks a read of body (cancels its request)
	abandoned bool
	resumed   atomic.Int32 // bodies asked for again after a stall
}

// chunk is the most a read appends before it is published: small enough
// that the decoder follows closely, large enough that waking it is rare.
const chunk = 64 << 10

// Watch is what a Buffer does about a body that stops sending: S3 advises
// abandoning a slow read and asking again on a new connection rather than
// waiting for it.
type Watch struct {
	// Stall is the longest one read may wait for bytes. Past it the read is
	// abandoned (the body's abort) and the rest asked for again (Resume), or
	// the file fails with ErrStalled. 0: no limit.
	Stall time.Duration
	// Resume opens the file again from byte off to its end, returning the
	// new body and what unblocks a read of it; it is tried at most Resumes
	// times a file.
	Resume  func(off int) (body io.ReadCloser, abort func(), err error)
	Resumes int
}

// Receive reads size bytes from body into a new Buffer in the background,
// then checks that body ends there; body is closed when reading stops.
func Receive(body io.ReadCloser, size int) *Buffer {
	return ReceiveWatched(body, nil, size, Watch{})
}

// ReceiveWatched is Receive with a Watch on stalls; abort unblocks a read
// of body (nil: closing body does).
func ReceiveWatched(body io.ReadCloser, abort func(), size int, w Watch) *Buffer {
	b := &Buffer{data: make([]byte, size), n: new(int64), state: new(int32), wake: make(chan struct{}), body: body, abort: abort}
	go b.receive(body, w)
	return b
}

func (b *Buffer) receive(body io.ReadCloser, w Watch) {
	defer func() { b.swap(nil, nil) }() // closes the last body
	var stalled atomic.Bool
	var timer *time.Timer
	if w.Stall > 0 {
		timer = time.AfterFunc(w.Stall, func() {
			stalled.Store(true)
			b.interrupt()
		})
		timer.Stop()
	}
	// read is one read of the current body, watched.
	read := func(p []byte) (int, error) {
		if timer != nil {
			timer.Reset(w.Stall)
			defer timer.Stop()
		}
		return body.Read(p)
	}
	n, resumes := 0, 0
	for n < len(b.data) {
		k, err := read(b.data[n:min(n+chunk, len(b.data))])
		if k > 0 {
			n += k
			b.publish(n, Arriving, nil)
		}
		if err != nil && stalled.Load() {
			// The read was abandoned for its stall: resume from n.
			if b.isAbandoned() {
				b.publish(n, Failed, err)
				return
			}
			if resumes == w.Resumes || w.Resume == nil {
				b.publish(n, Failed, fmt.Errorf("%w: nothing for %s at byte %d of %d", ErrStalled, w.Stall, n, len(b.data)))
				return
			}
			resumes++
			b.resumed.Add(1)
			next, abort, rerr := w.Resume(n)
			if rerr != nil {
				b.publish(n, Failed, fmt.Errorf("%w at byte %d of %d; asking again: %w", ErrStalled, n, len(b.data), rerr))
				return
			}
			stalled.Store(false)
			body = next
			if !b.swap(next, abort) {
				b.publish(n, Failed, errors.New("the body was abandoned"))
				return
			}
			continue
		}
		if errors.Is(err, io.EOF) && n < len(b.data) {
			b.publish(n, Failed, fmt.Errorf("%w: %d of %d bytes", ErrTruncated, n, len(b.data)))
			return
		}
		if err != nil && !errors.Is(err, io.EOF) {
			b.publish(n, Failed, err)
			return
		}
	}
	// The length was announced: a longer body is not the file it claims.
	var one [1]byte
	if k, _ := io.ReadFull(readerFunc(read), one[:]); k > 0 {
		b.publish(n, Failed, fmt.Errorf("the body is longer than its announced %d bytes", len(b.data)))
		return
	}
	b.publish(n, Complete, nil)
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// swap closes the current body and makes next (with its abort) current;
// it returns false, closing next, once the Buffer is abandoned.
func (b *Buffer) swap(next io.ReadCloser, abort func()) bool {
	b.mu.Lock()
	old, oldAbort, gone := b.body, b.abort, b.abandoned
	if !gone {
		b.body, b.abort = next, abort
	}
	b.mu.Unlock()
	if oldAbort != nil {
		oldAbort()
	}
	if old != nil {
		_ = old.Close()
	}
	if gone && next != nil {
		if abort != nil {
			abort()
		}
		_ = next.Close()
	}
	return !gone
}

// interrupt unblocks a read of the current body.
func (b *Buffer) interrupt() {
	b.mu.Lock()
	body, abort := b.body, b.abort
	b.mu.Unlock()
	if abort != nil {
		abort()
	} else if body != nil {
		_ = body.Close()
	}
}

func (b *Buffer) isAbandoned() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.abandoned
}

// publish makes n bytes visible (the bytes first, then the count, then the
// state) and wakes the waiters.
func (b *Buffer) publish(n int, state int32, err error) {
	b.mu.Lock()
	if err != nil {
		b.err = err
	}
	atomic.StoreInt64(b.n, int64(n))
	if state != Arriving {
		atomic.StoreInt32(b.state, state)
	}
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

// Resumed is how many times the body was asked for again after a stall.
func (b *Buffer) Resumed() int { return int(b.resumed.Load()) }

// Size is the file's whole length.
func (b *Buffer) Size() int { return len(b.data) }

// Data is the whole-length buffer; only its first Arrived bytes are there.
func (b *Buffer) Data() []byte { return b.data }

// Counters are the byte count and the state, for code reading them
// atomically (the C decoder).
func (b *Buffer) Counters() (*int64, *int32) { return b.n, b.state }

// Arrived is how many bytes are there, and the state.
func (b *Buffer) Arrived() (int, int32) {
	// The state first: a Complete state's count is final.
	s := atomic.LoadInt32(b.state)
	return int(atomic.LoadInt64(b.n)), s
}

// Wait returns the bytes there once at least n are, or once the file is
// complete (for n from its size on: checked to end there), or the
// arrival's error, or ctx's.
func (b *Buffer) Wait(ctx context.Context, n int) ([]byte, error) {
	for {
		b.mu.Lock()
		wake := b.wake
		have, state := int(atomic.LoadInt64(b.n)), atomic.LoadInt32(b.state)
		err := b.err
		b.mu.Unlock()
		switch {
		case state == Failed:
			return nil, err
		case state == Complete || (have >= n && n < len(b.data)):
			return b.data[:have], nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// All waits for the whole file.
func (b *Buffer) All(ctx context.Context) ([]byte, error) { return b.Wait(ctx, len(b.data)) }

// Abandon stops the reading early (the bytes are not wanted any more).
func (b *Buffer) Abandon() {
	b.mu.Lock()
	b.abandoned = true
	body, abort := b.body, b.abort
	b.mu.Unlock()
	if abort != nil {
		abort()
	}
	if body != nil {
		_ = body.Close()
	}
}
