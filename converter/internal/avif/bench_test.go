package avif

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
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
func benchSet(b *testing.B) map[int][]benchImage {
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
			return encodeCQ(m, cqLevel(q), speed, t)
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
			encs = append(encs, avifEncoder(75, s, defaultTuning()))
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
