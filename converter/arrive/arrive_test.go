package arrive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// slowBody hands out its data a few bytes at a time, then fails with err
// (io.EOF for a clean end).
type slowBody struct {
	data  []byte
	step  int
	err   error
	reads int
}

func (s *slowBody) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, s.err
	}
	n := copy(p[:min(len(p), s.step)], s.data)
	s.data = s.data[n:]
	if s.reads++; s.reads%16 == 0 {
		time.Sleep(100 * time.Microsecond) // let the reader fall behind now and then
	}
	return n, nil
}

func (s *slowBody) Close() error { return nil }

func TestReceive(t *testing.T) {
	data := bytes.Repeat([]byte("imgcells"), 40000)
	ctx := context.Background()
	for name, c := range map[string]struct {
		body    []byte
		size    int
		err     error
		wantErr error // nil: the data, whole
	}{
		"exact":       {data, len(data), io.EOF, nil},
		"short":       {data[:1000], len(data), io.EOF, ErrTruncated},
		"failing":     {data[:1000], len(data), errors.New("connection reset"), errors.New("connection reset")},
		"longer":      {data, len(data) - 1, io.EOF, errors.New("longer")},
		"empty":       {nil, 0, io.EOF, nil},
		"big chunks":  {data, len(data), io.EOF, nil},
		"tiny chunks": {data[:5000], 5000, io.EOF, nil},
	} {
		t.Run(name, func(t *testing.T) {
			step := 997
			if name == "big chunks" {
				step = 1 << 20
			}
			if name == "tiny chunks" {
				step = 1
			}
			b := Receive(&slowBody{data: c.body, step: step, err: c.err}, c.size)
			// The first bytes can be had before the rest.
			if c.size > 10 {
				first, err := b.Wait(ctx, 10)
				if c.wantErr == nil && (err != nil || len(first) < 10 || !bytes.Equal(first, c.body[:len(first)])) {
					t.Fatalf("Wait(10) = %d bytes, %v", len(first), err)
				}
			}
			got, err := b.All(ctx)
			n, state := b.Arrived()
			if c.wantErr == nil {
				if err != nil || !bytes.Equal(got, c.body[:c.size]) || state != Complete || n != c.size {
					t.Fatalf("All = %d bytes, %v (state %d, %d arrived); want the %d bytes", len(got), err, state, n, c.size)
				}
				return
			}
			if err == nil || state != Failed {
				t.Fatalf("All = %d bytes, %v (state %d); want a failure", len(got), err, state)
			}
			if errors.Is(c.wantErr, ErrTruncated) && !errors.Is(err, ErrTruncated) {
				t.Errorf("error %v, want ErrTruncated", err)
			}
		})
	}
}

func TestWaitStopsWithItsContext(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	b := Receive(r, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.All(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("All on a stalled body = %v, want the context's deadline", err)
	}
	b.Abandon()
	if _, err := b.All(context.Background()); err == nil {
		t.Fatal("All after Abandon succeeded, want the closed body's error")
	}
}

// stallingBody sends its bytes, then blocks until aborted; abort makes the
// blocked read fail, as cancelling an HTTP request's context does.
func stallingBody(data []byte) (io.ReadCloser, func()) {
	r, w := io.Pipe()
	// After data nothing more: the body stays open, silent. (The write
	// ends once the reader has it all, or is closed.)
	go func() { _, _ = w.Write(data) }()
	return r, func() { _ = r.CloseWithError(errors.New("request cancelled")) }
}

func TestAStalledBodyIsAskedAgainFromWhereItStopped(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 20000)
	first, abort := stallingBody(data[:100000])
	var resumedAt []int
	w := Watch{Stall: 50 * time.Millisecond, Resumes: 1, Resume: func(off int) (io.ReadCloser, func(), error) {
		resumedAt = append(resumedAt, off)
		return io.NopCloser(bytes.NewReader(data[off:])), nil, nil
	}}
	start := time.Now()
	got, err := ReceiveWatched(first, abort, len(data), w).All(context.Background())
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("All = %d bytes, %v; want the %d bytes", len(got), err, len(data))
	}
	if len(resumedAt) != 1 || resumedAt[0] != 100000 {
		t.Errorf("resumed at %v, want once at byte 100000", resumedAt)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s: the stall was not cut at its 50 ms", d)
	}
}

func TestABodyThatStallsPastItsResumesFails(t *testing.T) {
	data := bytes.Repeat([]byte("imgcells"), 10000)
	for name, w := range map[string]Watch{
		"no resume": {Stall: 30 * time.Millisecond},
		"stalls again": {Stall: 30 * time.Millisecond, Resumes: 1, Resume: func(off int) (io.ReadCloser, func(), error) {
			body, abort := stallingBody(data[off : off+10])
			return body, abort, nil
		}},
		"cannot be asked again": {Stall: 30 * time.Millisecond, Resumes: 1, Resume: func(int) (io.ReadCloser, func(), error) {
			return nil, nil, errors.New("412 precondition failed")
		}},
	} {
		t.Run(name, func(t *testing.T) {
			body, abort := stallingBody(data[:1000])
			b := ReceiveWatched(body, abort, len(data), w)
			_, err := b.All(context.Background())
			if !errors.Is(err, ErrStalled) {
				t.Fatalf("All = %v, want ErrStalled", err)
			}
			if n, state := b.Arrived(); state != Failed || n < 1000 {
				t.Errorf("state %d with %d bytes, want Failed with the 1000 that came", state, n)
			}
		})
	}
}

func TestAbandonStopsAWatchedBody(t *testing.T) {
	body, abort := stallingBody([]byte("abc"))
	resumed := false
	b := ReceiveWatched(body, abort, 100, Watch{Stall: time.Hour, Resumes: 1, Resume: func(int) (io.ReadCloser, func(), error) {
		resumed = true
		return nil, nil, errors.New("not wanted")
	}})
	if _, err := b.Wait(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	b.Abandon()
	if _, err := b.All(context.Background()); err == nil || errors.Is(err, ErrStalled) {
		t.Fatalf("All after Abandon = %v, want the abandoned body's error", err)
	}
	if resumed {
		t.Error("an abandoned body was asked for again")
	}
}
