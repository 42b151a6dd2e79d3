package converter

import (
	"image"
	"math"
	"testing"

	"imgcells/contract"
)

// Every input kind converts, keeps the aspect ratio and the picture: the
// average colour of each quarter matches the source's within a few levels.
func TestConvertEveryInputKind(t *testing.T) {
	ref := photo(t, "photo.png")
	refRes, err := Convert(ref, mustVariant(t, "format=png"), DefaultLimits())
	if err != nil {
		t.Fatalf("converting the reference: %v", err)
	}
	refImg := decodeOutput(t, refRes)
	cases := []struct {
		file string
		gray bool
		tol  float64
	}{
		{"photo.jpg", false, 4},
		{"progressive.jpg", false, 4},
		{"gray.jpg", true, 4},
		{"cmyk.jpg", false, 10},
		{"photo.png", false, 2},
		{"photo16.png", false, 3},
		{"palette.png", false, 6},
		{"photo.gif", false, 8},
		{"photo.webp", false, 5},
	}
	for _, c := range cases {
		for _, ops := range []string{"format=webp,quality=80,width=200", "format=jpeg,quality=85,width=200", "format=png,width=200", "format=avif,quality=80,width=200"} {
			t.Run(c.file+"/"+ops, func(t *testing.T) {
				res, err := Convert(photo(t, c.file), mustVariant(t, ops), DefaultLimits())
				if err != nil {
					t.Fatalf("Convert: %v", err)
				}
				if res.Width != 200 || res.Height != 113 {
					t.Fatalf("size %dx%d, want 200x113 (16:9 kept)", res.Width, res.Height)
				}
				out := decodeOutput(t, res)
				for _, q := range [][4]float64{{0, 0, .5, .5}, {.5, 0, 1, .5}, {0, .5, .5, 1}, {.5, .5, 1, 1}} {
					got := meanRGB(out, scaledRect(out, q[0], q[1], q[2], q[3]))
					want := meanRGB(refImg, scaledRect(refImg, q[0], q[1], q[2], q[3]))
					if c.gray {
						lum := func(c [3]float64) float64 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }
						if math.Abs(lum(got)-lum(want)) > c.tol {
							t.Errorf("quarter %v: luminance %.1f, want %.1f", q, lum(got), lum(want))
						}
						continue
					}
					for i := range got {
						if math.Abs(got[i]-want[i]) > c.tol {
							t.Errorf("quarter %v: mean %v, want %v (±%v)", q, got, want, c.tol)
							break
						}
					}
				}
			})
		}
	}
}

func TestConvertKeepsAlpha(t *testing.T) {
	for _, file := range []string{"alpha.png", "alpha.webp"} {
		for _, ops := range []string{"format=webp,quality=80,width=120", "format=png,width=120", "format=jpeg,quality=80,width=120", "format=avif,quality=80,width=120"} {
			t.Run(file+"/"+ops, func(t *testing.T) {
				res, err := Convert(photo(t, file), mustVariant(t, ops), DefaultLimits())
				if err != nil {
					t.Fatalf("Convert: %v", err)
				}
				want := mustVariant(t, ops).Format
				if want == contract.FormatJPEG {
					want = contract.FormatPNG // JPEG cannot carry the transparency
				}
				if res.Format != want {
					t.Fatalf("format %s, want %s", res.Format, want)
				}
				out := decodeOutput(t, res)
				if _, _, _, a := out.At(0, 0).RGBA(); a != 0 {
					t.Errorf("corner alpha %d, want transparent", a>>8)
				}
				if _, _, _, a := out.At(res.Width/2, res.Height/2).RGBA(); a>>8 != 255 {
					t.Errorf("centre alpha %d, want opaque", a>>8)
				}
				// The colour of half-transparent edge pixels must not be
				// darkened by the transparent black around them.
				ctr := meanRGB(out, image.Rect(res.Width/2-10, res.Height/2-10, res.Width/2+10, res.Height/2+10))
				if ctr[0]+ctr[1]+ctr[2] < 30 {
					t.Errorf("centre is black: %v", ctr)
				}
			})
		}
	}
}
