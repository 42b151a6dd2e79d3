package ssim

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func gradient(w, h int, shift uint8) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8((x*7 + y*3) % 256)
			m.SetNRGBA(x, y, color.NRGBA{v + shift, v, 255 - v, 255})
		}
	}
	return m
}

// Identical images score 1; a change scores less; the NRGBA fast path
// agrees with the general one (the same pixels as RGBA).
func TestCompare(t *testing.T) {
	a := gradient(64, 48, 0)
	if s, err := Compare(a, a); err != nil || math.Abs(s-1) > 1e-12 {
		t.Fatalf("identical: %v, %v", s, err)
	}
	noisy := gradient(64, 48, 0)
	for i := 0; i < len(noisy.Pix); i += 4 * 5 {
		noisy.Pix[i] ^= 0x40
	}
	s, err := Compare(a, noisy)
	if err != nil || s >= 0.99 || s <= 0 {
		t.Fatalf("noisy: %v, %v", s, err)
	}
	rgba := image.NewRGBA(noisy.Rect)
	for y := range 48 {
		for x := range 64 {
			rgba.Set(x, y, noisy.At(x, y))
		}
	}
	if s2, _ := Compare(a, rgba); math.Abs(s2-s) > 1e-12 {
		t.Errorf("NRGBA %v, RGBA %v", s, s2)
	}
	if _, err := Compare(a, gradient(60, 48, 0)); err == nil {
		t.Error("different sizes compared")
	}
}
