package avif

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"
)

// BenchmarkMemory measures the encoder's peak memory (Go and C: libaom's
// buffers are malloc'ed) per output pixel, at DefaultSpeed and quality 75,
// for the first benchmark photo at several widths: the process's peak
// resident memory during the encode over its resident memory just before
// (Linux: /proc/self/clear_refs resets the peak). It also reports the time
// per output pixel of each size, for the cost model.
//
//	IMGCELLS_AVIF_PHOTOS=bench/out/photos GOMAXPROCS=1 go test -run '^$' \
//	    -bench 'Memory' -benchtime 1x ./converter/internal/avif
func BenchmarkMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		b.Skip("needs Linux's /proc/self/clear_refs")
	}
	src := firstPhoto(b)
	for _, w := range []int{640, 1280, 2560} {
		for _, ch := range []int{3, 4} {
			b.Run(fmt.Sprintf("w%d/ch%d", w, ch), func(b *testing.B) {
				sb := src.Bounds()
				h := (sb.Dy()*w + sb.Dx()/2) / sb.Dx()
				m := image.NewNRGBA(image.Rect(0, 0, w, h))
				xdraw.CatmullRom.Scale(m, m.Rect, src, sb, xdraw.Src, nil)
				pix := pack(m, ch)
				if ch == 4 { // a soft vertical alpha ramp
					for y := range h {
						for x := range w {
							pix[(y*w+x)*4+3] = byte(255 * x / w)
						}
					}
				}
				var peak, ns int64
				for range b.N {
					runtime.GC()
					debug.FreeOSMemory()
					if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
						b.Skip(err)
					}
					before := procKB(b, "VmRSS")
					t0 := time.Now()
					out, err := Encode(b.Context(), pix, w, h, ch, Options{Quality: 75})
					ns = int64(time.Since(t0))
					if err != nil {
						b.Fatal(err)
					}
					peak = (procKB(b, "VmHWM") - before) * 1024
					runtime.KeepAlive(out)
				}
				b.ReportMetric(float64(peak)/float64(w*h), "peakB/px")
				b.ReportMetric(float64(ns)/float64(w*h), "ns/px")
			})
		}
	}
}

// firstPhoto decodes the first benchmark photo (testdata's photo.jpg
// without $IMGCELLS_AVIF_PHOTOS).
func firstPhoto(b *testing.B) image.Image {
	b.Helper()
	path := "../../../testdata/photos/photo.jpg"
	if dir := os.Getenv(photosEnv); dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".jpg") {
				path = dir + "/" + e.Name()
				break
			}
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// procKB reads a "Vm…: N kB" line of /proc/self/status.
func procKB(b *testing.B, key string) int64 {
	b.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("no %s in /proc/self/status", key)
	return 0
}
