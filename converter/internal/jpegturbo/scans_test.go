package jpegturbo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"imgcells/converter/internal/hostile"
)

func TestDecodeRefusesScanFloods(t *testing.T) {
	src := testPhoto(t, "progressive.jpg")
	repeated := func(n int) []byte {
		b, err := hostile.RepeatScan(src, -1, n)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A few repeated refinement scans are only a warning for libjpeg.
	if _, err := Decode(context.Background(), repeated(20), 1, nil); err != nil {
		t.Fatalf("20 extra scans: %v", err)
	}
	_, err := Decode(context.Background(), repeated(1000), 1, nil)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "scans") {
		t.Fatalf("1000 extra scans: error %v, want a refusal naming the scan count", err)
	}
}

// A decode that outlives its context stops inside libjpeg (the progress
// monitor) with ErrAborted, however many scans are left; an encode stops
// between rows.
func TestDecodeStopsAtTheDeadline(t *testing.T) {
	// About a second of scans on one core: far longer than the deadline.
	src, err := hostile.ArithJPEG{Width: 2048, Height: 2048, ExtraScans: 400}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = Decode(ctx, src, 8, nil)
	if !errors.Is(err, ErrAborted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want ErrAborted wrapping the deadline", err)
	}

	done, stop := context.WithCancel(context.Background())
	stop()
	if _, err := Decode(done, testPhoto(t, "photo.jpg"), 1, nil); !errors.Is(err, ErrAborted) {
		t.Errorf("decoding with an ended context: %v, want ErrAborted", err)
	}
	img, err := Decode(context.Background(), testPhoto(t, "photo.jpg"), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EncodeRGB(done, img.Pix, img.Width, img.Height, 80); !errors.Is(err, ErrAborted) {
		t.Errorf("encoding with an ended context: %v, want ErrAborted", err)
	}
}
