package converter

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"imgcells/contract"
)

// FuzzConvert feeds arbitrary bytes to the decode entry point. Whatever the
// input, Convert returns a result it can describe or a typed client error
// (4xx), and never panics or hangs.
func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "photos", "*"))
	tagged, _ := filepath.Glob(filepath.Join("..", "testdata", "colour", "*.*[gp]")) // the images with profiles
	for _, name := range append(files, tagged...) {
		b, err := os.ReadFile(name)
		if err != nil || len(b) > 100_000 {
			continue // small seeds keep each run fast
		}
		f.Add(b, uint8(0))
		f.Add(b[:len(b)/2], uint8(1))
		f.Add(b, uint8(3))
	}
	f.Add([]byte("<svg/>"), uint8(2))
	f.Add([]byte{}, uint8(0))
	variants := []contract.Variant{
		{Format: contract.FormatWebP, Quality: 50, Width: 32},
		{Format: contract.FormatJPEG, Quality: 50, Width: 16, Height: 16, Fit: contract.FitCover},
		{Format: contract.FormatPNG, Height: 24},
		{Format: contract.FormatAVIF, Quality: 60, Width: 24},                                    // a WebP when the source is animated
		{Format: contract.FormatWebP, Quality: 50, Width: 17, Height: 9, Fit: contract.FitCover}, // a JPEG's planes, cropped, odd
	}
	// Fuzzed headers may claim up to this many pixels, which bounds the work.
	lim := Limits{MaxSourceBytes: 1 << 20, MaxSourcePixels: 1 << 20}
	f.Fuzz(func(t *testing.T, src []byte, which uint8) {
		v := variants[int(which)%len(variants)]
		res, err := Convert(src, v, lim)
		if err != nil {
			var e *contract.Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 {
				t.Fatalf("error %v is not a typed 4xx", err)
			}
			return
		}
		if res.Width <= 0 || res.Height <= 0 || len(res.Data) == 0 {
			t.Fatalf("empty result %dx%d, %d bytes", res.Width, res.Height, len(res.Data))
		}
		if v.Width != 0 && res.Width > v.Width || v.Height != 0 && res.Height > v.Height {
			t.Fatalf("result %dx%d exceeds %v", res.Width, res.Height, v)
		}
	})
}
