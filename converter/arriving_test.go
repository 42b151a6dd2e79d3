package converter

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/converter/arrive"
	"imgcells/converter/internal/hostile"
)

// body hands out data step bytes a read; after hold bytes it waits for
// release (when not nil), and after its data it ends with end.
type body struct {
	data    []byte
	step    int
	hold    int
	release chan struct{}
	end     error
	sent    int
}

func (b *body) Read(p []byte) (int, error) {
	if b.release != nil && b.sent >= b.hold {
		<-b.release
		b.release = nil
	}
	if b.sent >= len(b.data) {
		return 0, b.end
	}
	n := min(len(p), b.step, len(b.data)-b.sent)
	if b.release != nil {
		n = min(n, b.hold-b.sent)
	}
	copy(p, b.data[b.sent:b.sent+n])
	b.sent += n
	return n, nil
}

func (b *body) Close() error { return nil }

// streamAll lets the tests stream files of any size.
func streamAll(t *testing.T) {
	old := streamMin
	streamMin = 0
	t.Cleanup(func() { streamMin = old })
}

// A JPEG converted while it arrives comes out as the whole file does, for
// baseline and progressive files, every format, and sources that take the
// whole-file path (PNG, WebP, GIF).
func TestConvertArrivingMatchesConvert(t *testing.T) {
	streamAll(t)
	big, err := hostile.Encoded{Width: 1200, Height: 800, Quality: 90, Mode: hostile.StandardProgressive, Pix: hostile.Noise(1200, 800)}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string][]byte{"progressive noise 1200x800": big}
	for _, name := range []string{"photo.jpg", "progressive.jpg", "portrait.jpg", "cmyk.jpg", "gray.jpg", "photo.png", "photo.webp", "photo.gif"} {
		sources[name] = photo(t, name)
	}
	for name, src := range sources {
		for _, ops := range []string{"format=webp,quality=75,width=300", "format=jpeg,quality=80", "format=avif,quality=60,width=200"} {
			v := mustVariant(t, ops)
			want, err := Convert(src, v, DefaultLimits())
			if err != nil {
				t.Fatalf("%s as %s, whole: %v", name, ops, err)
			}
			a := arrive.Receive(&body{data: src, step: 1500, end: io.EOF}, len(src))
			got, err := ConvertArriving(context.Background(), a, v, DefaultLimits())
			if err != nil {
				t.Fatalf("%s as %s, arriving: %v", name, ops, err)
			}
			if !bytes.Equal(got.Data, want.Data) || got.Format != want.Format || got.Colour != want.Colour {
				t.Errorf("%s as %s: arriving gives %d bytes of %s (%s), whole %d of %s (%s)", name, ops,
					len(got.Data), got.Format, got.Colour, len(want.Data), want.Format, want.Colour)
			}
		}
	}
}

// The decoder starts before the file has all arrived: the body holds back
// its last 64 KB until a decode has begun (the test fails by timing out
// otherwise).
func TestConvertArrivingDecodesBeforeTheEnd(t *testing.T) {
	src, err := hostile.Encoded{Width: 1600, Height: 1200, Quality: 90, Mode: hostile.Sequential, Pix: hostile.Noise(1600, 1200)}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if len(src) < streamMin+64<<10 {
		t.Fatalf("the test file is %d bytes, too small to stream", len(src))
	}
	release := make(chan struct{})
	a := arrive.Receive(&body{data: src, step: 8192, hold: len(src) - 64<<10, release: release, end: io.EOF}, len(src))
	before := decodes.Load()
	go func() {
		for decodes.Load() == before {
			time.Sleep(time.Millisecond)
		}
		close(release)
	}()
	v := mustVariant(t, "format=webp,quality=75,width=640")
	got, err := ConvertArriving(context.Background(), a, v, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want, err := Convert(src, v, DefaultLimits())
	if err != nil || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("arriving and whole conversions differ (%v)", err)
	}
}

// What the whole file's headers refuse is refused, with the same status
// and reason, when the file arrives: scans past the limit (found after the
// decoder has started on the head), damage past the head, and a file over
// the byte limit.
func TestConvertArrivingRefusesAsConvert(t *testing.T) {
	streamAll(t)
	good := photo(t, "progressive.jpg")
	damaged := append([]byte(nil), good[:len(good)/2]...) // truncated: its last scans are missing
	arith, err := hostile.ArithJPEG{Width: 1024, Height: 1024, ExtraScans: 497}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	lim := DefaultLimits()
	small := lim
	small.MaxSourceBytes = int64(len(good) - 1)
	for name, c := range map[string]struct {
		src      []byte
		lim      Limits
		streamed bool // the decoder starts on the head before the refusal
	}{
		"501 arithmetic scans":   {arith, lim, true},
		"500+ Huffman scans":     {hostile.JPEG{Width: 2000, Height: 2000, Process: hostile.Progressive, ExtraScans: 497}.Bytes(), lim, true},
		"truncated progressive":  {damaged, lim, true},
		"over the byte limit":    {good, small, false},
		"not an image":           {bytes.Repeat([]byte("text"), 1000), lim, false},
		"JPEG head then garbage": {append(append([]byte(nil), good[:600]...), bytes.Repeat([]byte{0xFF}, 5000)...), lim, true},
	} {
		v := mustVariant(t, "format=webp,quality=75,width=300")
		_, werr := Convert(c.src, v, c.lim)
		// The last bytes wait for the decoder to start (or for 0.3 s,
		// when it is not meant to).
		release := make(chan struct{})
		before := decodes.Load()
		go func() {
			defer close(release)
			for deadline := time.Now().Add(300 * time.Millisecond); decodes.Load() == before && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}()
		a := arrive.Receive(&body{data: c.src, step: 700, hold: len(c.src) - 1, release: release, end: io.EOF}, len(c.src))
		_, aerr := ConvertArriving(context.Background(), a, v, c.lim)
		if started := decodes.Load() > before; started != c.streamed {
			t.Errorf("%s: decoder started %v, want %v", name, started, c.streamed)
		}
		ws, wr := contract.StatusOf(werr)
		as, ar := contract.StatusOf(aerr)
		if werr == nil || ws != as || wr != ar {
			t.Errorf("%s: arriving answers %d %q (%v), whole %d %q (%v)", name, as, ar, aerr, ws, wr, werr)
		}
	}
}

// A body that fails or ends early is the network's fault: a 5xx, never a
// 4xx that would be cached against the image.
func TestConvertArrivingFailedArrival(t *testing.T) {
	streamAll(t)
	src := photo(t, "progressive.jpg")
	v := mustVariant(t, "format=webp,quality=75,width=300")
	for name, end := range map[string]error{"reset": errors.New("connection reset"), "short": io.EOF} {
		a := arrive.Receive(&body{data: src[:len(src)*2/3], step: 900, end: end}, len(src))
		_, err := ConvertArriving(context.Background(), a, v, DefaultLimits())
		if status, _ := contract.StatusOf(err); err == nil || status < http.StatusInternalServerError || !errors.Is(err, ErrArrival) {
			t.Errorf("%s: %v (status %d), want a 5xx marked ErrArrival", name, err, status)
		}
	}
}
