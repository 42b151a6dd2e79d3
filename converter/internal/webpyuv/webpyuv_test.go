package webpyuv

import (
	"bytes"
	"testing"

	"github.com/chai2010/webp"
)

// A flat picture in VP8's ranges comes back from libwebp's decoder as the
// RGB those values stand for: Y 81, U 90, V 240 is BT.601's red.
func TestEncodeFlatRed(t *testing.T) {
	const w, h = 37, 21 // odd: chroma is ceil(w/2)×ceil(h/2)
	cw, ch := (w+1)/2, (h+1)/2
	p := Picture{Y: bytes.Repeat([]byte{81}, w*h), U: bytes.Repeat([]byte{90}, cw*ch), V: bytes.Repeat([]byte{240}, cw*ch),
		W: w, H: h, YStride: w, UVStride: cw}
	data, err := Encode(p, 90)
	if err != nil {
		t.Fatal(err)
	}
	m, err := webp.DecodeRGBA(data)
	if err != nil {
		t.Fatal(err)
	}
	if b := m.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("decoded %v, want %dx%d", b, w, h)
	}
	c := m.RGBAAt(w/2, h/2)
	if c.R < 245 || c.G > 10 || c.B > 10 {
		t.Errorf("centre pixel %v, want red", c)
	}
}

// Planes too small for the size asked are refused before libwebp reads them.
func TestEncodeRefusesShortPlanes(t *testing.T) {
	p := Picture{Y: make([]byte, 16*16), U: make([]byte, 8*8), V: make([]byte, 8*7), W: 16, H: 16, YStride: 16, UVStride: 8}
	if _, err := Encode(p, 75); err == nil {
		t.Fatal("a V plane one row short was accepted")
	}
}
