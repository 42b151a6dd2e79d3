package converter

import (
	"bytes"
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/chai2010/webp"

	"imgcells/contract"
	"imgcells/internal/aviftest"
)

// photo reads a test photo from testdata/photos.
func photo(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "photos", name))
	if err != nil {
		t.Fatalf("reading test photo: %v", err)
	}
	return b
}

// decodeOutput decodes converted bytes with independent decoders (Go's,
// libwebp's, avifdec for AVIF), checking the format matches what the result
// claims. An animation gives its first frame.
func decodeOutput(t testing.TB, res *Result) image.Image {
	t.Helper()
	if res.Format == contract.FormatAVIF {
		m, info := aviftest.Decode(t, res.Data, "")
		if info.Width != res.Width || info.Height != res.Height {
			t.Fatalf("AVIF is %dx%d, result says %dx%d", info.Width, info.Height, res.Width, res.Height)
		}
		return m
	}
	if res.Frames > 1 {
		fr := decodeAnimation(t, res.Data)
		if fr.info.Width != res.Width || fr.info.Height != res.Height || len(fr.frames) != res.Frames {
			t.Fatalf("animation %dx%d of %d frames, result says %dx%d of %d", fr.info.Width, fr.info.Height, len(fr.frames), res.Width, res.Height, res.Frames)
		}
		return fr.frames[0]
	}
	m, name, err := image.Decode(bytes.NewReader(res.Data))
	if err != nil {
		t.Fatalf("decoding output: %v", err)
	}
	if contract.Format(name) != res.Format {
		t.Fatalf("output is %s, result says %s", name, res.Format)
	}
	if b := m.Bounds(); b.Dx() != res.Width || b.Dy() != res.Height {
		t.Fatalf("output is %dx%d, result says %dx%d", b.Dx(), b.Dy(), res.Width, res.Height)
	}
	return m
}

// meanRGB is the average colour of a region, in 8-bit units, over opaque
// pixels only.
func meanRGB(m image.Image, r image.Rectangle) [3]float64 {
	var s [3]float64
	n := 0.0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			if c.A < 250 {
				continue
			}
			s[0] += float64(c.R)
			s[1] += float64(c.G)
			s[2] += float64(c.B)
			n++
		}
	}
	for i := range s {
		s[i] /= max(n, 1)
	}
	return s
}

// scaledRect maps a rectangle given in fractions of an image onto it.
func scaledRect(m image.Image, x0, y0, x1, y1 float64) image.Rectangle {
	b := m.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	return image.Rect(int(x0*w), int(y0*h), int(x1*w), int(y1*h))
}

func mustVariant(t testing.TB, ops string) contract.Variant {
	t.Helper()
	v, err := contract.ParseOps(ops)
	if err != nil {
		t.Fatalf("ParseOps(%q): %v", ops, err)
	}
	return v
}
