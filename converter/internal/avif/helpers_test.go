package avif

import (
	"image"
	"image/draw"
	_ "image/jpeg" // the test photos
	_ "image/png"
	"os"
	"testing"
)

// photo loads a testdata photo as packed straight RGB (ch 3) or RGBA (ch 4).
func photo(t testing.TB, name string, ch int) ([]byte, int, int) {
	t.Helper()
	f, err := os.Open("../../../testdata/photos/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b := m.Bounds()
	n := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(n, n.Rect, m, b.Min, draw.Src)
	return pack(n, ch), b.Dx(), b.Dy()
}

// pack returns m's pixels as packed RGB (ch 3) or RGBA (ch 4).
func pack(m *image.NRGBA, ch int) []byte {
	if ch == 4 {
		return m.Pix
	}
	out := make([]byte, 0, len(m.Pix)/4*3)
	for i := 0; i < len(m.Pix); i += 4 {
		out = append(out, m.Pix[i], m.Pix[i+1], m.Pix[i+2])
	}
	return out
}

// crop cuts a w×h corner out of a packed image of width sw.
func crop(pix []byte, sw, ch, w, h int) []byte {
	out := make([]byte, 0, w*h*ch)
	for y := range h {
		out = append(out, pix[y*sw*ch:(y*sw+w)*ch]...)
	}
	return out
}

// toImage wraps packed RGB or RGBA as an image for comparisons.
func toImage(pix []byte, w, h, ch int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		copy(m.Pix[4*i:4*i+3], pix[ch*i:ch*i+3])
		m.Pix[4*i+3] = 0xFF
		if ch == 4 {
			m.Pix[4*i+3] = pix[ch*i+3]
		}
	}
	return m
}
