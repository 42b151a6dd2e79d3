package converter

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"testing"

	"imgcells/contract"
)

var (
	red  = color.NRGBA{220, 20, 20, 255}
	blue = color.NRGBA{20, 20, 220, 255}
)

// markedPhoto is the upright test photo with a red block in its top-left
// corner and a blue block in its top-right corner.
func markedPhoto(t testing.TB) *image.NRGBA {
	t.Helper()
	src, _, err := image.Decode(bytes.NewReader(photo(t, "photo.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	m := image.NewNRGBA(b)
	draw.Draw(m, b, src, b.Min, draw.Src)
	bw, bh := b.Dx()/5, b.Dy()/5
	draw.Draw(m, image.Rect(0, 0, bw, bh), image.NewUniform(red), image.Point{}, draw.Src)
	draw.Draw(m, image.Rect(b.Dx()-bw, 0, b.Dx(), bh), image.NewUniform(blue), image.Point{}, draw.Src)
	return m
}

// storeWithOrientation returns the pixels a camera would store for the
// upright image d under EXIF orientation o, following the tag's definition
// (where the stored row 0 and column 0 are shown), JPEG-encoded with an
// EXIF APP1 segment carrying o.
func storeWithOrientation(t testing.TB, d *image.NRGBA, o int) []byte {
	t.Helper()
	dw, dh := d.Bounds().Dx(), d.Bounds().Dy()
	sw, sh := dw, dh
	if o >= 5 {
		sw, sh = dh, dw
	}
	s := image.NewNRGBA(image.Rect(0, 0, sw, sh))
	for sy := range sh {
		for sx := range sw {
			var x, y int // where the stored pixel is displayed
			switch o {
			case 1: // row 0 top, column 0 left
				x, y = sx, sy
			case 2: // row 0 top, column 0 right
				x, y = dw-1-sx, sy
			case 3: // row 0 bottom, column 0 right
				x, y = dw-1-sx, dh-1-sy
			case 4: // row 0 bottom, column 0 left
				x, y = sx, dh-1-sy
			case 5: // row 0 left, column 0 top
				x, y = sy, sx
			case 6: // row 0 right, column 0 top
				x, y = dw-1-sy, sx
			case 7: // row 0 right, column 0 bottom
				x, y = dw-1-sy, dh-1-sx
			case 8: // row 0 left, column 0 bottom
				x, y = sy, dh-1-sx
			}
			s.SetNRGBA(sx, sy, d.NRGBAAt(x, y))
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, s, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return withEXIFOrientation(b.Bytes(), o)
}

// withEXIFOrientation inserts a big-endian EXIF APP1 segment holding only
// the Orientation tag right after the JPEG's SOI marker.
func withEXIFOrientation(jpg []byte, o int) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, // header, IFD0 at 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, // Orientation, SHORT, 1, value
		0, 0, 0, 0} // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestConvertAppliesEveryOrientation(t *testing.T) {
	upright := markedPhoto(t)
	for o := 1; o <= 8; o++ {
		for _, ops := range []string{"format=png,width=240", "format=webp,quality=90,width=200,height=100,fit=cover", "format=jpeg,quality=90", "format=avif,quality=90,width=240"} {
			t.Run(fmt.Sprintf("orientation %d/%s", o, ops), func(t *testing.T) {
				src := storeWithOrientation(t, upright, o)
				v := mustVariant(t, ops)
				res, err := Convert(src, v, DefaultLimits())
				if err != nil {
					t.Fatalf("Convert: %v", err)
				}
				wantW, wantH := 480, 270
				switch {
				case v.Fit == contract.FitCover:
					wantW, wantH = 200, 100
				case v.Width != 0:
					wantW, wantH = 240, 135
				}
				if res.Width != wantW || res.Height != wantH {
					t.Fatalf("size %dx%d, want %dx%d (upright)", res.Width, res.Height, wantW, wantH)
				}
				out := decodeOutput(t, res)
				w, h := res.Width, res.Height
				// Corners are sampled a little inside the marks.
				checkColour(t, "top-left", out, image.Rect(1, 1, w/12, h/12), red)
				checkColour(t, "top-right", out, image.Rect(w-w/12, 1, w-1, h/12), blue)
				bl := meanRGB(out, image.Rect(1, h-h/12, w/12, h-1))
				if near(bl, red) || near(bl, blue) {
					t.Errorf("bottom-left is a mark colour %v: the image is flipped", bl)
				}
			})
		}
	}
}

func checkColour(t *testing.T, where string, m image.Image, r image.Rectangle, want color.NRGBA) {
	t.Helper()
	if got := meanRGB(m, r); !near(got, want) {
		t.Errorf("%s is %v, want about %v", where, got, want)
	}
}

func near(c [3]float64, want color.NRGBA) bool {
	d := func(a float64, b uint8) float64 {
		if a > float64(b) {
			return a - float64(b)
		}
		return float64(b) - a
	}
	return d(c[0], want.R) < 40 && d(c[1], want.G) < 40 && d(c[2], want.B) < 40
}
