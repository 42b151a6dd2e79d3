package avif

import (
	"context"
	"fmt"
	"image"
	"testing"

	"imgcells/internal/aviftest"
)

// decode runs avifdec on out and checks what every file must say: the
// size, 8-bit 4:2:0, sRGB (BT.709 primaries, sRGB transfer), the BT.601
// matrix, full range, and alpha exactly when asked.
func decode(t *testing.T, out []byte, w, h int, alpha bool, codec string) image.Image {
	t.Helper()
	m, info := aviftest.Decode(t, out, codec)
	want := aviftest.Info{Width: w, Height: h, Depth: 8, Format: "YUV420", Range: "Full",
		Primaries: 1, Transfer: 13, Matrix: 6, Alpha: alpha}
	if info != want {
		t.Errorf("avifdec says %+v, want %+v", info, want)
	}
	if b := m.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("decoded %v, want %dx%d", b, w, h)
	}
	return m
}

// Opaque photos of every awkward shape decode, with both of avifdec's
// independent AV1 decoders, close to the source.
func TestAvifdecOpaque(t *testing.T) {
	pix, sw, sh := photo(t, "photo.jpg", 3)
	for _, s := range []struct{ w, h int }{{1, 1}, {1, 9}, {9, 1}, {2, 2}, {3, 5}, {33, 17}, {64, 64}, {sw, sh}} {
		for _, codec := range []string{"dav1d", "libgav1"} {
			t.Run(fmt.Sprintf("%dx%d/%s", s.w, s.h, codec), func(t *testing.T) {
				src := crop(pix, sw, 3, s.w, s.h)
				out, err := Encode(context.Background(), src, s.w, s.h, 3, Options{Quality: 80})
				if err != nil {
					t.Fatal(err)
				}
				m := decode(t, out, s.w, s.h, false, codec)
				if p := aviftest.PSNR(toImage(src, s.w, s.h, 3), m, 0); p < 30 {
					t.Errorf("PSNR %.1f dB at quality 80, want at least 30", p)
				}
			})
		}
	}
}

// Alpha survives exactly (it is coded lossless): transparent pixels decode
// transparent, opaque ones opaque, soft edges keep their values; and the
// colour of the visible pixels stays close.
func TestAvifdecAlpha(t *testing.T) {
	pix, sw, sh := photo(t, "alpha.png", 4)
	for _, s := range []struct{ w, h int }{{1, 1}, {1, 7}, {7, 1}, {5, 3}, {sw, sh}} {
		t.Run(fmt.Sprintf("%dx%d", s.w, s.h), func(t *testing.T) {
			src := crop(pix, sw, 4, s.w, s.h)
			out, err := Encode(context.Background(), src, s.w, s.h, 4, Options{Quality: 75})
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, out, s.w, s.h, true, "")
			for y := range s.h {
				for x := range s.w {
					a := src[(y*s.w+x)*4+3]
					if got := aviftest.NRGBA(m, x, y)[3]; got != a {
						t.Fatalf("pixel %d,%d alpha %d, source %d", x, y, got, a)
					}
				}
			}
			if p := aviftest.PSNR(toImage(src, s.w, s.h, 4), m, 255); p < 28 {
				t.Errorf("PSNR of the opaque pixels %.1f dB, want at least 28", p)
			}
		})
	}
}

// The range and matrix the file states are the ones the planes use: a grey
// ramp over the whole 0–255 range and saturated colour patches come back
// within a few levels (limited range read as full, or BT.709 read as
// BT.601, would move them by 10 or more).
func TestAvifdecRangeAndMatrix(t *testing.T) {
	const w, h = 256, 64
	src := make([]byte, w*h*3)
	patches := [][3]byte{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}, {0, 255, 255}, {255, 0, 255}, {0, 0, 0}, {255, 255, 255}}
	for y := range h {
		for x := range w {
			c := [3]byte{byte(x), byte(x), byte(x)} // the ramp, top half
			if y >= h/2 {
				c = patches[x/32]
			}
			copy(src[(y*w+x)*3:], c[:])
		}
	}
	out, err := Encode(context.Background(), src, w, h, 3, Options{Quality: 100})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, out, w, h, false, "")
	for y := 4; y < h-4; y += 8 {
		for x := 4; x < w; x += 8 {
			if x%32 < 4 || x%32 > 27 {
				continue // patch edges: 4:2:0 chroma blurs across them
			}
			got := aviftest.NRGBA(m, x, y)
			want := src[(y*w+x)*3:]
			for c := range 3 {
				if d := abs(int(got[c]) - int(want[c])); d > 4 {
					t.Fatalf("pixel %d,%d decodes as %v, source %v", x, y, got[:3], want[:3])
				}
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
