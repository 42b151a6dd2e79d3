package jpegturbo

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// feed delivers src into an Arriving buffer step bytes at a time, pausing
// between steps, and ends with state (Arrived or Failed) after the first
// upTo bytes.
func feed(src []byte, step, upTo int, state int32) Arriving {
	a := Arriving{Data: make([]byte, len(src)), Avail: new(int64), State: new(int32)}
	go func() {
		for n := 0; n < upTo; {
			k := min(step, upTo-n)
			copy(a.Data[n:n+k], src[n:n+k])
			n += k
			atomic.StoreInt64(a.Avail, int64(n))
			if n%(8*step) == 0 {
				time.Sleep(50 * time.Microsecond)
			}
		}
		atomic.StoreInt32(a.State, state)
	}()
	return a
}

// Decoding a file as it arrives gives the bytes decoding it whole does, for
// baseline and progressive files at every scale, whatever the arrival's
// rhythm.
func TestDecodeArrivingMatchesDecode(t *testing.T) {
	for _, name := range []string{"photo.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg"} {
		src := testPhoto(t, name)
		for _, d := range []int{1, 2, 8} {
			want, err := Decode(context.Background(), src, d, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []int{97, 4096, 1 << 20} {
				got, err := DecodeArriving(context.Background(), feed(src, step, len(src), Arrived), d, nil)
				if err != nil {
					t.Fatalf("%s 1/%d, %d-byte steps: %v", name, d, step, err)
				}
				if !bytes.Equal(got.Pix, want.Pix) || got.Width != want.Width || got.Components != want.Components {
					t.Fatalf("%s 1/%d, %d-byte steps: the pixels differ from a whole-file decode", name, d, step)
				}
			}
		}
	}
}

// A file that has all arrived but ends early is corrupt (truncated), as a
// whole truncated file is; a file that stops arriving is the network's
// failure; a deadline reached while waiting for bytes stops the decoder.
func TestDecodeArrivingEndings(t *testing.T) {
	src := testPhoto(t, "progressive.jpg")
	ctx := context.Background()
	if _, err := DecodeArriving(ctx, feed(src, 700, len(src)/2, Arrived), 1, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("half the file, arrived: %v, want ErrCorrupt", err)
	}
	if _, err := DecodeArriving(ctx, feed(src, 700, len(src)/2, Failed), 1, nil); !errors.Is(err, ErrArrival) {
		t.Errorf("half the file, failed: %v, want ErrArrival", err)
	}
	stalled := Arriving{Data: make([]byte, len(src)), Avail: new(int64), State: new(int32)}
	copy(stalled.Data, src[:len(src)/2])
	atomic.StoreInt64(stalled.Avail, int64(len(src)/2))
	dctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, err := DecodeArriving(dctx, stalled, 1, nil); !errors.Is(err, ErrAborted) {
		t.Errorf("a stalled arrival past the deadline: %v, want ErrAborted", err)
	}
}
