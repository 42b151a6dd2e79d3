package avif

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/chai2010/webp"
	xdraw "golang.org/x/image/draw"

	"imgcells/internal/aviftest"
	"imgcells/internal/ssim"
)

// The measurements that chose DefaultSpeed, the tuning and the quality
// mapping (see quality.go). They run on the photos in $IMGCELLS_AVIF_PHOTOS
// (a folder of JPEGs: bench/run.sh downloads the 8-20 MP benchmark set to
// bench/out/photos), or else on testdata/photos, resized to 640 and 1280
// wide. Single thread; run with GOMAXPROCS=1, e.g.
//
//	IMGCELLS_AVIF_PHOTOS=bench/out/photos GOMAXPROCS=1 go test -run '^$' \
//	    -bench 'Speeds' -benchtime 1x ./converter/internal/avif
//
// Every figure is reported next to WebP's at the same quality, measured in
// the same run: ns/px and B/px are per output pixel, ssim is the mean
// over the photos against the resized source.

const photosEnv = "IMGCELLS_AVIF_PHOTOS"

var benchWidths = []int{640, 1280}

type benchImage struct {
	name string
	m    *image.NRGBA
}

var (
	setOnce sync.Once
	set     map[int][]benchImage
	errSet  error
)

// benchSet returns the photos resized to each of benchWidths (Catmull-Rom),
// loaded once per process.
func benchSet(b testing.TB) map[int][]benchImage {
	b.Helper()
	setOnce.Do(func() {
		dir, pattern := os.Getenv(photosEnv), "*.jpg"
		if dir == "" {
			dir, pattern = "../../../testdata/photos", "photo.jpg"
		}
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		sort.Strings(files)
		if len(files) == 0 {
			errSet = fmt.Errorf("no JPEG in %s", dir)
			return
		}
		set = map[int][]benchImage{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				errSet = err
				return
			}
			src, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				errSet = fmt.Errorf("%s: %w", f, err)
				return
			}
			for _, w := range benchWidths {
				sb := src.Bounds()
				h := (sb.Dy()*w + sb.Dx()/2) / sb.Dx()
				m := image.NewNRGBA(image.Rect(0, 0, w, h))
				xdraw.CatmullRom.Scale(m, m.Rect, src, sb, xdraw.Src, nil)
				set[w] = append(set[w], benchImage{filepath.Base(f), m})
			}
		}
	})
	if errSet != nil {
		b.Fatal(errSet)
	}
	return set
}

// encoder is one configuration under measurement.
type encoder struct {
	name   string
	encode func(m *image.NRGBA) ([]byte, error)
	decode func(b *testing.B, data []byte) image.Image
}

func avifEncoder(q, speed int, t tuning) encoder {
	return encoder{
		name: fmt.Sprintf("avif-q%d-s%d", q, speed),
		encode: func(m *image.NRGBA) ([]byte, error) {
			return encodeCQ(m, cqLevel(q, speed), speed, t)
		},
		decode: func(b *testing.B, data []byte) image.Image {
			m, _ := aviftest.Decode(b, data, "")
			return m
		},
	}
}

func encodeCQ(m *image.NRGBA, cq, speed int, t tuning) ([]byte, error) {
	return encode(context.Background(), pack(m, 3), m.Rect.Dx(), m.Rect.Dy(), 3, cq, speed, 1, t)
}

func webpEncoder(q int) encoder {
	return encoder{
		name: fmt.Sprintf("webp-q%d", q),
		encode: func(m *image.NRGBA) ([]byte, error) {
			rgb := &webp.RGBImage{XPix: pack(m, 3), XStride: m.Rect.Dx() * 3, XRect: m.Rect}
			return webp.EncodeRGB(rgb, float32(q))
		},
		decode: func(b *testing.B, data []byte) image.Image {
			m, err := webp.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			return m
		},
	}
}

// figures are one encoder's totals over a set of images.
type figures struct {
	ns, bytes, pixels int64
	ssim              float64 // mean over the images
}

// measure encodes every image once (the pixel packing outside the clock),
// then decodes and scores the outputs.
func measure(b *testing.B, e encoder, imgs []benchImage) figures {
	b.Helper()
	var f figures
	for _, im := range imgs {
		t0 := time.Now()
		out, err := e.encode(im.m)
		f.ns += int64(time.Since(t0))
		if err != nil {
			b.Fatalf("%s %s: %v", e.name, im.name, err)
		}
		f.bytes += int64(len(out))
		f.pixels += int64(im.m.Rect.Dx() * im.m.Rect.Dy())
		s, err := ssim.Compare(im.m, e.decode(b, out))
		if err != nil {
			b.Fatal(err)
		}
		f.ssim += s / float64(len(imgs))
	}
	return f
}

func (f figures) report(b *testing.B) {
	b.ReportMetric(float64(f.ns)/float64(f.pixels), "ns/px")
	b.ReportMetric(float64(f.bytes)/float64(f.pixels), "B/px")
	b.ReportMetric(f.ssim, "ssim")
	b.ReportMetric(0, "ns/op") // the per-pixel figures are the ones to read
}

// BenchmarkSpeeds measures libaom's speeds 5-9 at quality 75 (and speed 8
// with libaom's default tuning) against WebP at quality 75, per width. With
// -benchtime Nx each encoder's time is the least of N runs: the machine is
// shared.
func BenchmarkSpeeds(b *testing.B) {
	for _, w := range benchWidths {
		encs := []encoder{webpEncoder(75)}
		for s := 5; s <= 9; s++ {
			encs = append(encs, avifEncoder(75, s, defaultTuning(s)))
		}
		untuned := avifEncoder(75, 8, libaomDefaults)
		untuned.name += "-libaom-tuning"
		encs = append(encs, untuned)
		for _, e := range encs {
			b.Run(fmt.Sprintf("w%d/%s", w, e.name), func(b *testing.B) {
				imgs := benchSet(b)[w]
				var f figures
				for i := range b.N {
					if g := measure(b, e, imgs); i == 0 || g.ns < f.ns {
						f = g
					}
				}
				f.report(b)
			})
		}
	}
}

// BenchmarkSpeedChoice compares speeds at equal SSIM, per photo: each
// configuration encodes every photo at cq-levels 12-36, and its bytes at the
// SSIM speed 6 reaches at cq 28 (quality 75's cq there) are interpolated
// (log-linear) between the two nearest; a photo whose SSIM a configuration
// does not reach even at cq 12 is counted as unreached and left out of its
// bytes mean. The reported figures are geometric means over the photos and
// widths of bytes and of the encoding thread's CPU time, relative to speed
// 6. Run with GOMAXPROCS=1:
//
//	IMGCELLS_AVIF_PHOTOS=bench/out/photos GOMAXPROCS=1 go test -run '^$' \
//	    -bench 'SpeedChoice' -benchtime 1x -timeout 1h ./converter/internal/avif
func BenchmarkSpeedChoice(b *testing.B) {
	withRect := defaultTuning(6)
	withRect.rectPartitions = -1
	configs := []struct {
		name  string
		speed int
		t     tuning
	}{
		{"speed6", 6, defaultTuning(6)},
		{"speed6-rect-partitions", 6, withRect},
		{"speed7", 7, defaultTuning(7)},
		{"speed8", 8, defaultTuning(8)},
	}
	cqs := []int{12, 16, 20, 24, 28, 32, 36}
	type point struct{ ssim, bytes float64 }
	type result struct {
		points []point
		cpu    time.Duration
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var imgs []benchImage
	for _, w := range benchWidths {
		imgs = append(imgs, benchSet(b)[w]...)
	}
	results := make([][]result, len(configs))
	for ci, c := range configs {
		for _, im := range imgs {
			var r result
			for _, cq := range cqs {
				c0 := threadCPU(b)
				out, err := encodeCQ(im.m, cq, c.speed, c.t)
				r.cpu += threadCPU(b) - c0
				if err != nil {
					b.Fatal(err)
				}
				m, _ := aviftest.Decode(b, out, "")
				s, err := ssim.Compare(im.m, m)
				if err != nil {
					b.Fatal(err)
				}
				r.points = append(r.points, point{s, float64(len(out))})
			}
			results[ci] = append(results[ci], r)
		}
	}
	// bytesAt interpolates a configuration's bytes at a target SSIM; off
	// its grid it is +Inf (that configuration cannot be compared there).
	bytesAt := func(r result, target float64) float64 {
		for i := 1; i < len(r.points); i++ {
			hi, lo := r.points[i-1], r.points[i] // SSIM falls as cq rises
			if target <= hi.ssim && target >= lo.ssim {
				f := (target - lo.ssim) / max(hi.ssim-lo.ssim, 1e-9)
				return math.Exp(math.Log(lo.bytes) + f*(math.Log(hi.bytes)-math.Log(lo.bytes)))
			}
		}
		return math.Inf(1)
	}
	for ci, c := range configs {
		b.Run(c.name, func(b *testing.B) {
			var lnBytes, lnCPU float64
			var compared, unreached int
			for i, im := range imgs {
				base, r := results[0][i], results[ci][i]
				target := base.points[4].ssim // speed 6 at cq 28
				rb := bytesAt(r, target) / base.points[4].bytes
				rc := float64(r.cpu) / float64(base.cpu)
				fmt.Printf("%s %-40s %4d wide: bytes %.3fx, CPU %.2fx\n", c.name, im.name, im.m.Rect.Dx(), rb, rc)
				lnCPU += math.Log(rc)
				if math.IsInf(rb, 1) {
					unreached++ // not even at cq 12: left out of the bytes mean
					continue
				}
				lnBytes += math.Log(rb)
				compared++
			}
			b.ReportMetric(math.Exp(lnBytes/float64(max(compared, 1))), "bytes/speed6")
			b.ReportMetric(float64(unreached), "unreached")
			b.ReportMetric(math.Exp(lnCPU/float64(len(imgs))), "cpu/speed6")
			b.ReportMetric(0, "ns/op")
		})
	}
}
