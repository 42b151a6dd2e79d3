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

// generic hides an image's concrete type, so Luma takes the general path.
type generic struct{ image.Image }

// Identical images score 1; a change scores less; the NRGBA and opaque
// RGBA fast paths agree with the general one.
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
	for name, m := range map[string]image.Image{"RGBA": rgba, "general": generic{noisy}} {
		if s2, _ := Compare(a, m); math.Abs(s2-s) > 1e-12 {
			t.Errorf("NRGBA %v, %s %v", s, name, s2)
		}
	}
	if _, err := Compare(a, gradient(60, 48, 0)); err == nil {
		t.Error("different sizes compared")
	}
}

// A translucent RGBA pixel is premultiplied: its luma is the straight
// colour's, as the general path has it, not the stored bytes'.
func TestLumaTranslucentRGBA(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 2, 1))
	m.SetRGBA(0, 0, color.RGBA{100, 100, 100, 0xFF})
	m.SetRGBA(1, 0, color.RGBA{50, 50, 50, 0x80}) // straight about 100
	want := Luma(generic{m})
	got := Luma(m)
	for i := range want.y {
		if got.y[i] != want.y[i] {
			t.Errorf("pixel %d: %v, want %v", i, got.y[i], want.y[i])
		}
	}
	if got.y[1] < 99 {
		t.Errorf("translucent pixel's luma %v, want the straight colour's", got.y[1])
	}
}
