package jpegturbo

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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
	files, err := filepath.Glob("testdata/progressive/*.jpg")
	if err != nil || len(files) == 0 {
		t.Fatalf("no progressive corpus: %v", err)
	}
	files = append(files, "../../../testdata/photos/progressive.jpg")
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
	for name, src := range map[string][]byte{"refinement stops early": early, "reserved marker in the data": reserved} {
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
