package jpegturbo

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"os"
	"testing"
)

func testPhoto(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../../../testdata/photos/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Every DCT scale gives the size libjpeg documents, ceil(w/denom), and
// keeps the picture: the scaled mean colour matches the full decode's.
func TestDecodeScales(t *testing.T) {
	src := testPhoto(t, "photo.jpg") // 480×270
	var full [3]float64
	for _, d := range []int{1, 2, 4, 8} {
		img, err := Decode(context.Background(), src, d, nil)
		if err != nil {
			t.Fatalf("1/%d: %v", d, err)
		}
		w, h := ScaledSize(480, 270, d)
		if img.Width != w || img.Height != h || img.Components != 3 || len(img.Pix) != w*h*3 {
			t.Fatalf("1/%d: %dx%dx%d (%d bytes), want %dx%dx3", d, img.Width, img.Height, img.Components, len(img.Pix), w, h)
		}
		var m [3]float64
		for i, v := range img.Pix {
			m[i%3] += float64(v)
		}
		for c := range m {
			m[c] /= float64(w * h)
		}
		if d == 1 {
			full = m
			continue
		}
		for c := range m {
			if diff := m[c] - full[c]; diff > 2 || diff < -2 {
				t.Errorf("1/%d: mean %v, full decode %v", d, m, full)
				break
			}
		}
	}
}

func TestDecodeGrayAndCMYK(t *testing.T) {
	g, err := Decode(context.Background(), testPhoto(t, "gray.jpg"), 1, nil)
	if err != nil || g.Components != 3 {
		t.Fatalf("gray: %v, %d components (want RGB)", err, g.Components)
	}
	for i := 0; i < len(g.Pix); i += 3 {
		if g.Pix[i] != g.Pix[i+1] || g.Pix[i] != g.Pix[i+2] {
			t.Fatalf("gray pixel %d is coloured: %v", i/3, g.Pix[i:i+3])
		}
	}
	c, err := Decode(context.Background(), testPhoto(t, "cmyk.jpg"), 2, nil)
	if err != nil || c.Components != 4 {
		t.Fatalf("cmyk: %v, %d components (want 4)", err, c.Components)
	}
}

func TestDecodeRefusesDamage(t *testing.T) {
	src := testPhoto(t, "photo.jpg")
	for name, b := range map[string][]byte{
		"truncated": src[:len(src)/2],
		"header":    src[:40],
		"garbage":   append([]byte{0xFF, 0xD8, 0xFF}, bytes.Repeat([]byte{0x42}, 200)...),
	} {
		if _, err := Decode(context.Background(), b, 1, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v, want ErrCorrupt", name, err)
		}
	}
	if _, err := Decode(context.Background(), src, 3, nil); err == nil {
		t.Error("scale 1/3 accepted")
	}
}

func TestEncodeRGBRoundTrip(t *testing.T) {
	img, err := Decode(context.Background(), testPhoto(t, "photo.jpg"), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := EncodeRGB(context.Background(), img.Pix, img.Width, img.Height, 90)
	if err != nil {
		t.Fatal(err)
	}
	m, err := jpeg.Decode(bytes.NewReader(out)) // an independent decoder
	if err != nil {
		t.Fatalf("Go cannot read the output: %v", err)
	}
	if b := m.Bounds(); b.Dx() != img.Width || b.Dy() != img.Height {
		t.Fatalf("output %v, want %dx%d", b, img.Width, img.Height)
	}
	if _, err := EncodeRGB(context.Background(), img.Pix[:10], img.Width, img.Height, 90); err == nil {
		t.Error("short pixel buffer accepted")
	}
}
