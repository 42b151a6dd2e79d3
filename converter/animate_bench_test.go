package converter

import (
	"bytes"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"testing"
)

// panGIF is an n-frame animation panning across the test photo, 480×270,
// each frame a full-screen photographic image in the web-safe palette
// (what a screen recording or a product turntable GIF looks like).
func panGIF(b *testing.B, n int) []byte {
	b.Helper()
	photoImg := decodeTestJPEG(b, photo(b, "photo.jpg"))
	src := &image.RGBA{Pix: make([]byte, photoImg.w*photoImg.h*4), Stride: photoImg.w * 4, Rect: image.Rect(0, 0, photoImg.w, photoImg.h)}
	for i, j := 0, 0; i < len(photoImg.pix); i, j = i+3, j+4 {
		copy(src.Pix[j:j+3], photoImg.pix[i:i+3])
		src.Pix[j+3] = 0xFF
	}
	g := &gif.GIF{LoopCount: 0}
	for i := range n {
		m := image.NewPaletted(image.Rect(0, 0, 480, 270), palette.WebSafe)
		dx := (i * 7) % 480
		draw.Draw(m, image.Rect(0, 0, 480-dx, 270), src, image.Point{dx, 0}, draw.Src)
		draw.Draw(m, image.Rect(480-dx, 0, 480, 270), src, image.Point{}, draw.Src)
		g.Image, g.Delay, g.Disposal = append(g.Image, m), append(g.Delay, 4), append(g.Disposal, gif.DisposalNone)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkAnimation times a 100-frame 480×270 GIF to an animated WebP,
// beside its first frame alone converted the same way (the in-run
// baseline: a still conversion of one frame), at full size and at 240
// wide. frame-ms is the animation's time per frame.
func BenchmarkAnimation(b *testing.B) {
	anim := panGIF(b, 100)
	first := panGIF(b, 1)
	for _, ops := range []string{"format=webp,quality=75", "format=webp,quality=75,width=240"} {
		v := mustVariant(b, ops)
		for _, c := range []struct {
			name string
			src  []byte
		}{{"first-frame", first}, {"100-frames", anim}} {
			b.Run(c.name+"/"+ops, func(b *testing.B) {
				var res *Result
				for b.Loop() {
					var err error
					if res, err = Convert(c.src, v, DefaultLimits()); err != nil {
						b.Fatal(err)
					}
				}
				frames := max(res.Frames, 1)
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(frames), "frame-ms")
				b.ReportMetric(float64(res.Timings.Decode.Microseconds())/1000/float64(frames), "decode-frame-ms")
				b.ReportMetric(float64(res.Timings.Resize.Microseconds())/1000/float64(frames), "resize-frame-ms")
				b.ReportMetric(float64(res.Timings.Encode.Microseconds())/1000/float64(frames), "encode-frame-ms")
				b.ReportMetric(float64(len(res.Data)), "bytes")
			})
		}
	}
}
