package converter

import (
	"context"
	"image"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/chai2010/webp"

	"imgcells/contract"
	"imgcells/converter/internal/hostile"
)

// cpuNow is the process's CPU time, all threads.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type modelCase struct {
	name string
	ops  string
	make func(b *testing.B) []byte
}

func modelCases() []modelCase {
	jpegOf := func(e hostile.Encoded) func(b *testing.B) []byte {
		return func(b *testing.B) []byte {
			e.Pix = hostile.Noise(e.Width, e.Height)
			out, err := e.Bytes()
			if err != nil {
				b.Fatal(err)
			}
			return out
		}
	}
	of := func(f func() ([]byte, error)) func(b *testing.B) []byte {
		return func(b *testing.B) []byte {
			out, err := f()
			if err != nil {
				b.Fatal(err)
			}
			return out
		}
	}
	webpOf := func(w, h int, lossless bool) func(b *testing.B) []byte {
		return func(b *testing.B) []byte {
			m := &webp.RGBImage{XPix: hostile.Noise(w, h), XStride: w * 3, XRect: image.Rect(0, 0, w, h)}
			var out []byte
			var err error
			if lossless {
				out, err = webp.EncodeLosslessRGB(m)
			} else {
				out, err = webp.EncodeRGB(m, 90)
			}
			if err != nil {
				b.Fatal(err)
			}
			return out
		}
	}
	photo := jpegOf(hostile.Encoded{Width: 4000, Height: 3000, Quality: 90})
	return []modelCase{
		{"jpeg-q100-444", "format=webp,quality=75,width=640", jpegOf(hostile.Encoded{Width: 3000, Height: 2000, Quality: 100, Sampling444: true})},
		{"jpeg-progressive", "format=webp,quality=75,width=640", jpegOf(hostile.Encoded{Width: 4000, Height: 3000, Quality: 90, Mode: hostile.StandardProgressive})},
		{"jpeg-progressive-q100-444", "format=webp,quality=75,width=640", jpegOf(hostile.Encoded{Width: 3000, Height: 2000, Quality: 100, Sampling444: true, Mode: hostile.StandardProgressive})},
		{"jpeg-arith-progressive-q100", "format=webp,quality=75,width=640", jpegOf(hostile.Encoded{Width: 3000, Height: 2000, Quality: 100, Arithmetic: true, Mode: hostile.StandardProgressive})},
		{"jpeg-arith-sequential-q100", "format=webp,quality=75,width=640", jpegOf(hostile.Encoded{Width: 3000, Height: 2000, Quality: 100, Arithmetic: true})},
		{"jpeg-photo/webp640", "format=webp,quality=75,width=640", photo},
		{"jpeg-photo/webp-full", "format=webp,quality=75", photo},
		{"jpeg-photo/jpeg-full", "format=jpeg,quality=75", photo},
		{"jpeg-photo/png-full", "format=png", photo},
		{"jpeg-photo/webp2000", "format=webp,quality=75,width=2000", photo},
		{"huffman-ac-100", "format=webp,quality=75,width=640", of(func() ([]byte, error) {
			return hostile.JPEG{Width: 4000, Height: 4000, Process: hostile.Progressive, ExtraScans: 100}.Bytes(), nil
		})},
		{"huffman-444-dc-50", "format=webp,quality=75,width=640", of(func() ([]byte, error) {
			return hostile.JPEG{Width: 4000, Height: 4000, Process: hostile.Progressive, Sampling444: true, ExtraScans: 50, RepeatDC: true}.Bytes(), nil
		})},
		{"arith-ac-100", "format=webp,quality=75,width=640", of(hostile.ArithJPEG{Width: 4000, Height: 4000, ExtraScans: 100}.Bytes)},
		{"arith-444-dc-50", "format=webp,quality=75,width=640", of(hostile.ArithJPEG{Width: 4000, Height: 4000, Sampling444: true, ExtraScans: 50, RepeatDC: true}.Bytes)},
		{"png8-noise", "format=webp,quality=75,width=640", func(b *testing.B) []byte {
			rgb := hostile.Noise(3000, 2000)
			return of(hostile.PNG{Width: 3000, Height: 2000, Depth: 8, Colour: 2, Sample: func(x, y, c int) uint16 {
				return uint16(rgb[(y*3000+x)*3+c]) << 8
			}}.Bytes)(b)
		}},
		{"png16-ga-interlaced", "format=webp,quality=75,width=640", of(hostile.PNG{Width: 3000, Height: 3000, Depth: 16, Colour: 4, Interlaced: true}.Bytes)},
		{"png16-rgba-interlaced-noise", "format=webp,quality=75,width=640", func(b *testing.B) []byte {
			rgb := hostile.Noise(2000, 2000)
			return of(hostile.PNG{Width: 2000, Height: 2000, Depth: 16, Colour: 6, Interlaced: true, Sample: func(x, y, c int) uint16 {
				return uint16(rgb[(y*2000+x)*3+c%3])<<8 | uint16(x)
			}}.Bytes)(b)
		}},
		{"gif-small-frame", "format=webp,quality=75,width=640", of(hostile.GIF{Width: 4000, Height: 3000, Frame: image.Rect(100, 100, 3000, 2000)}.Bytes)},
		{"webp-lossy", "format=webp,quality=75,width=640", webpOf(3000, 2000, false)},
		{"webp-lossless", "format=webp,quality=75,width=640", webpOf(3000, 2000, true)},
		// AVIF of noise, the encoder's worst content, at both speeds
		// (avifSpeed): 1280×853 at speed 6, 1900×1267 at speed 8.
		{"jpeg-noise/avif1280-q100", "format=avif,quality=100,width=1280", jpegOf(hostile.Encoded{Width: 3000, Height: 2000, Quality: 100, Sampling444: true})},
		{"jpeg-noise/avif1900-q100", "format=avif,quality=100,width=1900", jpegOf(hostile.Encoded{Width: 3000, Height: 2000, Quality: 100, Sampling444: true})},
	}
}

// BenchmarkModel measures the CPU time of each stage of a conversion per
// input class and reports it against the cost model's prediction
// (measured/model: below 1 means the model over-predicts, as it should).
// Run it alone, with GOMAXPROCS=1, on an idle machine:
//
//	GOMAXPROCS=1 go test -run '^$' -bench Model -benchtime 3x ./converter/
func BenchmarkModel(b *testing.B) {
	if os.Getenv("GOMAXPROCS") != "1" {
		b.Log("GOMAXPROCS is not 1: resizing runs on several cores and its CPU time includes the scheduling")
	}
	for _, c := range modelCases() {
		b.Run(c.name, func(b *testing.B) {
			src := c.make(b)
			v := mustVariant(b, c.ops)
			lim := DefaultLimits()
			lim.MaxSourceBytes = 0 // some of these are larger than real files need be
			w, err := check(src, v, lim)
			if err != nil {
				b.Fatal(err)
			}
			var dec, res, enc time.Duration
			ctx := context.Background()
			n := 0
			for b.Loop() {
				var sc scratch
				c0 := cpuNow()
				r, p, err := decode(ctx, w.src, src, nil, w.plan, sc.alloc, nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				c1 := cpuNow()
				if p.resizes() {
					r = resize(r, p, sc.alloc)
				}
				r = orient(r, w.orientation)
				f := v.Format
				if r.ch == 4 && !r.hasAlpha() {
					r = r.dropAlpha()
				} else if r.ch == 4 && f == contract.FormatJPEG {
					f = contract.FormatPNG
				}
				c2 := cpuNow()
				if _, err := encode(ctx, r, f, v.Quality); err != nil {
					b.Fatal(err)
				}
				c3 := cpuNow()
				sc.release()
				dec, res, enc = dec+c1-c0, res+c2-c1, enc+c3-c2
				n++
			}
			ratio := func(m time.Duration, model time.Duration) float64 {
				return float64(m) / float64(n) / float64(max(model, 1))
			}
			b.ReportMetric(float64(dec.Milliseconds())/float64(n), "decode-cpu-ms")
			b.ReportMetric(ratio(dec, w.cost.decode), "decode/model")
			b.ReportMetric(ratio(res, w.cost.resize), "resize/model")
			b.ReportMetric(ratio(enc, w.cost.encode), "encode/model")
			b.ReportMetric(float64(w.cost.total().Milliseconds()), "model-ms")
			b.ReportMetric(float64(len(src))/float64(w.src.pixels()), "src-B/px")
		})
	}
}
