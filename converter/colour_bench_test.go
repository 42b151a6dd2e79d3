package converter

import (
	"context"
	"testing"

	"imgcells/converter/internal/icc"
	"imgcells/converter/internal/jpegturbo"
)

// BenchmarkICC measures the profile transform (Display P3 to sRGB, as an
// iPhone photo needs; cached, as in production): per megapixel on a 12 MP
// RGB frame, and its share of a whole conversion of a 12 MP JPEG to a
// 1280-wide WebP, tagged against untagged (the in-run baseline). Run with
// GOMAXPROCS=1 for what a 2048 MB Lambda (1.16 vCPU) sees.
func BenchmarkICC(b *testing.B) {
	const w, h = 4000, 3000
	frame := newRaster(w, h, 3)
	small := decodeTestJPEG(b, photo(b, "photo.jpg"))
	for y := range h { // the test photo, stretched: photographic content
		for x := range w {
			s := small.pix[((y*small.h/h)*small.w+x*small.w/w)*3:]
			copy(frame.pix[(y*w+x)*3:], s[:3])
		}
	}
	jpg, err := jpegturbo.EncodeRGB(context.Background(), frame.pix, w, h, 90)
	if err != nil {
		b.Fatal(err)
	}
	p3 := colourFile(b, "DisplayP3.icc")
	tagged := withICC(jpg, p3, 60000, nil, 0)
	v := mustVariant(b, "format=webp,quality=75,width=1280")
	for _, c := range []struct {
		name string
		src  []byte
	}{{"convert-untagged", jpg}, {"convert-p3", tagged}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Convert(c.src, v, DefaultLimits()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("transform-12MP", func(b *testing.B) {
		cs := colourSource{profile: p3, space: icc.RGB}
		work := newRaster(w, h, 3)
		for b.Loop() {
			copy(work.pix, frame.pix)
			if note := cs.toSRGB(work); note != colourICC {
				b.Fatal(note)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/12e6, "ns/px")
	})
}

func decodeTestJPEG(b *testing.B, src []byte) *raster {
	img, err := jpegturbo.Decode(context.Background(), src, 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	return &raster{pix: img.Pix, w: img.Width, h: img.Height, ch: 3}
}
