package jpegturbo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"imgcells/converter/internal/hostile"
	"imgcells/converter/internal/jpegturbo/stock"
)

// The row-bands patch decodes a progressive JPEG one row of blocks of every
// scan at a time, with no whole-image coefficient buffer. The comparison
// with Debian's build (stock_test.go) shows it gives the same pixels and
// outcomes; these tests show that it is what decodes them, that it leaves
// to the stock decoder what it does not repeat, and that the buffer is gone.

func TestRowBandsDecodeProgressiveFiles(t *testing.T) {
	requireStock(t)
	files := progressiveCorpus(t)
	for _, f := range files {
		src := readFile(t, f)
		for _, denom := range []int{1, 2, 8} {
			img, err := stock.DecodeLinkedBands(src, denom)
			if err != nil {
				t.Fatalf("%s, 1/%d: %v", filepath.Base(f), denom, err)
			}
			if img.Band != 1 {
				t.Errorf("%s, 1/%d: band decoder state %d, want 1 (decoded by row bands)", filepath.Base(f), denom, img.Band)
			}
		}
	}
	img, err := stock.DecodeLinkedBands(testPhoto(t, "photo.jpg"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if img.Band != 0 {
		t.Errorf("baseline JPEG: band decoder state %d, want 0 (one scan, decoded as it arrives)", img.Band)
	}
}

// A file whose refinement stops early is one libjpeg smooths (its block
// smoothing needs the rows around each one), and a reserved marker code in
// a scan's data with restart markers is one libjpeg's resynchronisation may
// skip: the band decoder declines both after reading them, and the caller
// decodes them again as usual.
func TestRowBandsDeclineWhatTheyDoNotRepeat(t *testing.T) {
	requireStock(t)
	for name, src := range declinedFiles(t) {
		img, err := stock.DecodeLinkedBands(src, 1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if img.Band != -1 {
			t.Errorf("%s: band decoder state %d, want -1 (declined)", name, img.Band)
		}
		for _, denom := range []int{1, 4} {
			if msg := compareWithStock(src, denom); msg != "" {
				t.Errorf("%s, 1/%d: %s", name, denom, msg)
			}
		}
	}
}

// declinedFiles are progressive files the band decoder declines.
func declinedFiles(t *testing.T) map[string][]byte {
	t.Helper()
	early, err := hostile.DropScans(testPhoto(t, "progressive.jpg"), 2)
	if err != nil {
		t.Fatal(err)
	}
	restarts := readFile(t, "testdata/progressive/444-spectral-restarts.jpg")
	at := len(restarts) * 3 / 4
	for restarts[at-1] == 0xFF || restarts[at] == 0xFF {
		at++
	}
	reserved := append(append(bytes.Clone(restarts[:at]), 0xFF, 0x02), restarts[at:]...)
	return map[string][]byte{"refinement stops early": early, "reserved marker in the data": reserved}
}

// The converter's decoder decodes a declined file again the usual way, whole
// or arriving: Debian's pixels.
func TestDecodeDeclinedFilesAgainTheUsualWay(t *testing.T) {
	requireStock(t)
	for name, src := range declinedFiles(t) {
		for _, denom := range []int{1, 2} {
			want, err := stock.DecodeStock(src, denom)
			if err != nil {
				t.Fatalf("%s: Debian's build: %v", name, err)
			}
			whole, err := Decode(context.Background(), src, denom, nil)
			if err != nil {
				t.Fatalf("%s 1/%d: %v", name, denom, err)
			}
			arriving, err := DecodeArriving(context.Background(), feed(src, 997, len(src), Arrived), denom, nil)
			if err != nil {
				t.Fatalf("%s 1/%d, arriving: %v", name, denom, err)
			}
			for how, got := range map[string]*Image{"whole": whole, "arriving": arriving} {
				if got.Width != want.Width || got.Height != want.Height || !bytes.Equal(got.Pix, want.Pix) {
					t.Errorf("%s 1/%d, %s: not Debian's pixels", name, denom, how)
				}
			}
		}
	}
}

// Once decompression has started, the usual decoder holds the whole
// image's coefficients (two bytes each, 64 a block); the band decoder, one
// row of blocks and each scan's decoder state.
func TestRowBandsKeepNoWholeImageBuffer(t *testing.T) {
	requireStock(t)
	// A 3 MP photo-like raster: smooth gradients and some texture.
	const w, h = 2048, 1536
	rgb := make([]byte, w*h*3)
	for y := range h {
		for x := range w {
			i := (y*w + x) * 3
			rgb[i] = byte(x * 255 / w)
			rgb[i+1] = byte(y * 255 / h)
			rgb[i+2] = byte((x ^ y) & 63)
		}
	}
	src, err := stock.EncodeProgressive(rgb, w, h, 85)
	if err != nil {
		t.Fatal(err)
	}
	usual, err := stock.DecodeLinked(src, 2)
	if err != nil {
		t.Fatal(err)
	}
	bands, err := stock.DecodeLinkedBands(src, 2)
	if err != nil {
		t.Fatal(err)
	}
	if bands.Band != 1 {
		t.Fatalf("band decoder state %d, want 1", bands.Band)
	}
	if i := firstDifference(bands.Pix, usual.Pix); i >= 0 {
		t.Fatalf("pixels differ at byte %d", i)
	}
	// 4:2:0: one luma and half a chroma coefficient per pixel.
	coefficients := int64(w * h * 3 / 2 * 2)
	if usual.HeapAfterStart < coefficients {
		t.Fatalf("the usual decoder's heap grew by %d bytes, less than its %d bytes of coefficients: the measure misses the buffer",
			usual.HeapAfterStart, coefficients)
	}
	if bands.HeapAfterStart > coefficients/16 {
		t.Errorf("by row bands the heap grew by %d bytes, more than 1/16 of the %d bytes of a whole-image buffer",
			bands.HeapAfterStart, coefficients)
	}
	t.Logf("C heap grown at start: usual %d bytes, by row bands %d", usual.HeapAfterStart, bands.HeapAfterStart)
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// By row bands the scans are decoded while the rows are read: a decode of
// many scans still stops at its deadline (the progress monitor runs for each
// group of rows read).
func TestRowBandsStopAtTheDeadline(t *testing.T) {
	src, err := hostile.RepeatScan(testPhoto(t, "progressive.jpg"), -1, 400)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := Decode(context.Background(), src, 1, nil); err != nil {
		t.Fatal(err)
	}
	whole := time.Since(start)
	// The deadline passes once the scans' headers are read, while rows are.
	ctx, cancel := context.WithTimeout(context.Background(), whole/10)
	defer cancel()
	if _, err := Decode(ctx, src, 1, nil); !errors.Is(err, ErrAborted) {
		t.Fatalf("error %v, want ErrAborted (the whole decode takes %v)", err, whole)
	}
}

// libjpeg's two-pass colour quantization makes its second pass over the
// decoded pixels it kept, not over the coefficients, so the band decoder,
// which decodes each row once, serves it too: the same colour indices.
func TestRowBandsServeTwoPassQuantization(t *testing.T) {
	src := testPhoto(t, "progressive.jpg")
	want, err := stock.DecodeQuantized(src, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := stock.DecodeQuantized(src, true)
	if err != nil {
		t.Fatalf("asking for row bands: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("asking for row bands changed the two-pass quantized output")
	}
}

// For a caller that lets a truncated file decode as libjpeg does by default
// (the rest from zeros, a warning), the band decoder gives Debian's pixels
// too: the skim and the scans stop where the stock decoder's reading does.
func TestRowBandsMatchDebianOnTruncatedFilesLeniently(t *testing.T) {
	requireStock(t)
	files := progressiveCorpus(t)
	states := map[int]int{}
	for _, f := range files {
		src := readFile(t, f)
		for i := range 12 {
			cut := src[:len(src)*(30+5*i)/100]
			for _, denom := range []int{1, 2, 8} {
				want, errWant := stock.DecodeStockLenient(cut, denom)
				got, errGot := stock.DecodeLinkedBandsLenient(cut, denom)
				if msg := compareImages(got, errGot, want, errWant); msg != "" {
					t.Errorf("%s cut to %d bytes, 1/%d: by row bands (state %d): %s", filepath.Base(f), len(cut), denom, got.Band, msg)
				}
				states[got.Band]++
			}
		}
	}
	if states[1] == 0 {
		t.Errorf("no truncated file was decoded by row bands (states %v)", states)
	}
	t.Logf("band decoder states: %v", states)
}
