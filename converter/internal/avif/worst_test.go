package avif

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"
)

// BenchmarkWorstCase measures what the converter's cost model charges an
// AVIF encode (converter/cost.go): the CPU time of the encoding thread and
// the peak resident memory per output pixel, on the contents that cost
// libaom most, at both speeds the converter uses and across qualities.
// 1280×853, one thread; CPU time, not wall time, so that a busy machine
// disturbs it less. Run with
//
//	GOMAXPROCS=1 go test -run '^$' -bench WorstCase -benchtime 1x ./converter/internal/avif
//
// The peak memory is only right for the first case a process runs (the C
// allocator keeps what libaom freed, so later cases start from a higher
// resident size): for it, run one case per process, e.g.
// -bench 'WorstCase/^noise$/s6/q100$'.
//
// Contents: random RGB noise (the most detail there is), random pixels
// from an 8-colour palette (palette search at its busiest), 4×4 blocks of
// those colours (what a screen-content encoder tries hardest on), a smooth
// three-way gradient (which libaom takes for screen content), and noise
// with a noisy alpha channel (the lossless alpha plane at its largest).
func BenchmarkWorstCase(b *testing.B) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		b.Skip("needs Linux's /proc/self/clear_refs")
	}
	const w, h = 1280, 853
	palette := [][3]byte{{0, 0, 0}, {255, 255, 255}, {200, 30, 30}, {30, 200, 30}, {30, 30, 200}, {128, 128, 0}, {0, 128, 128}, {250, 180, 20}}
	fill := func(ch int, f func(r *rand.Rand, x, y int) [4]byte) []byte {
		r := rand.New(rand.NewPCG(1, 2))
		pix := make([]byte, w*h*ch)
		for y := range h {
			for x := range w {
				c := f(r, x, y)
				copy(pix[(y*w+x)*ch:], c[:ch])
			}
		}
		return pix
	}
	noise := func(r *rand.Rand, _, _ int) [4]byte {
		v := r.Uint32()
		return [4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	}
	contents := []struct {
		name string
		ch   int
		pix  func() []byte
	}{
		{"noise", 3, func() []byte { return fill(3, noise) }},
		{"palette-noise", 3, func() []byte {
			return fill(3, func(r *rand.Rand, _, _ int) [4]byte { c := palette[r.IntN(8)]; return [4]byte{c[0], c[1], c[2], 255} })
		}},
		{"palette-blocks", 3, func() []byte {
			return fill(3, func(_ *rand.Rand, x, y int) [4]byte {
				c := palette[(x/4*7+y/4*13+(x/4)*(y/4))%8]
				return [4]byte{c[0], c[1], c[2], 255}
			})
		}},
		{"gradient", 3, func() []byte {
			return fill(3, func(_ *rand.Rand, x, y int) [4]byte {
				return [4]byte{byte(x * 255 / (w - 1)), byte(y * 255 / (h - 1)), byte((x + y) * 255 / (w + h - 2)), 255}
			})
		}},
		{"noise-alpha", 4, func() []byte { return fill(4, noise) }},
	}
	for _, c := range contents {
		pix := c.pix()
		for _, speed := range []int{6, 8} {
			for _, q := range []int{25, 75, 90, 100} {
				b.Run(fmt.Sprintf("%s/s%d/q%d", c.name, speed, q), func(b *testing.B) {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					var cpu time.Duration
					var peak int64
					var size int
					for i := range b.N {
						runtime.GC()
						debug.FreeOSMemory()
						if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
							b.Skip(err)
						}
						before := procKB(b, "VmRSS")
						c0 := threadCPU(b)
						out, err := Encode(b.Context(), pix, w, h, c.ch, Options{Quality: q, Speed: speed})
						d := threadCPU(b) - c0
						if err != nil {
							b.Fatal(err)
						}
						if p := (procKB(b, "VmHWM") - before) * 1024; i == 0 || d < cpu {
							cpu, peak, size = d, p, len(out)
						}
					}
					b.ReportMetric(float64(cpu)/float64(w*h), "cpu-ns/px")
					b.ReportMetric(float64(peak)/float64(w*h), "peakB/px")
					b.ReportMetric(float64(size)/float64(w*h), "B/px")
					b.ReportMetric(0, "ns/op")
				})
			}
		}
	}
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
