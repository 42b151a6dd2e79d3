package avif

import (
	"fmt"
	"image"
	"os"
	"strconv"
	"testing"
)

// The quality mapping: imgcells' AVIF at quality Q should look like its
// WebP at Q (same mean SSIM), so turning AVIF on changes bytes, not what
// viewers see. For each anchor quality, calibrate finds the largest
// cq-level whose mean SSIM over the photos (both widths) reaches WebP's.
//
//	IMGCELLS_AVIF_PHOTOS=bench/out/photos GOMAXPROCS=1 go test -run '^$' \
//	    -bench 'Mapping' -benchtime 1x -timeout 1h ./converter/internal/avif
//
// IMGCELLS_AVIF_SPEED picks the speed to calibrate (DefaultSpeed
// otherwise); IMGCELLS_AVIF_TUNE=libaom calibrates with libaom's default
// tuning instead of defaultTuning.

var anchorQualities = []int{1, 10, 25, 40, 50, 60, 75, 80, 90, 100}

func allWidths(b *testing.B) []benchImage {
	var imgs []benchImage
	for _, w := range benchWidths {
		imgs = append(imgs, benchSet(b)[w]...)
	}
	return imgs
}

func benchSpeed(b *testing.B) int {
	if s := os.Getenv("IMGCELLS_AVIF_SPEED"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return DefaultSpeed
}

// cqEncoder encodes at a given cq-level directly, bypassing the mapping.
func cqEncoder(cq, speed int, t tuning) encoder {
	e := avifEncoder(50, speed, t)
	e.name = fmt.Sprintf("avif-cq%d-s%d", cq, speed)
	e.encode = func(m *image.NRGBA) ([]byte, error) { return encodeCQ(m, cq, speed, t) }
	return e
}

// calibrate returns the largest cq-level in 1-63 (0 is lossless) whose
// mean SSIM reaches target, and its figures; SSIM falls as cq rises.
func calibrate(b *testing.B, imgs []benchImage, target float64, speed int, t tuning) (int, figures) {
	b.Helper()
	cache := map[int]figures{}
	at := func(cq int) figures {
		if f, ok := cache[cq]; ok {
			return f
		}
		f := measure(b, cqEncoder(cq, speed, t), imgs)
		cache[cq] = f
		return f
	}
	lo, hi := 1, 63 // the answer is in [lo, hi], or lo when nothing reaches it
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if at(mid).ssim >= target {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, at(lo)
}

// BenchmarkMapping prints the quality → cq-level table at one speed.
func BenchmarkMapping(b *testing.B) {
	speed := benchSpeed(b)
	t := defaultTuning(speed)
	if os.Getenv("IMGCELLS_AVIF_TUNE") == "libaom" {
		t = libaomDefaults
	}
	for _, q := range anchorQualities {
		b.Run(fmt.Sprintf("q%d", q), func(b *testing.B) {
			imgs := allWidths(b)
			for range b.N {
				wf := measure(b, webpEncoder(q), imgs)
				cq, af := calibrate(b, imgs, wf.ssim, speed, t)
				b.Logf("speed %d quality %3d: cq %2d | webp ssim %.4f %.4f B/px %4.0f ns/px | avif ssim %.4f %.4f B/px %4.0f ns/px | bytes %.2fx",
					speed, q, cq, wf.ssim, float64(wf.bytes)/float64(wf.pixels), float64(wf.ns)/float64(wf.pixels),
					af.ssim, float64(af.bytes)/float64(af.pixels), float64(af.ns)/float64(af.pixels), float64(af.bytes)/float64(wf.bytes))
				b.ReportMetric(float64(cq), "cq")
				af.report(b)
			}
		})
	}
}

// libaomDefaults leaves every knob at libaom's default.
var libaomDefaults = tuning{tune: -1, deltaqMode: -1, enableQM: -1, sharpness: -1, chromaDeltaQ: -1, rectPartitions: -1}

// BenchmarkTunings compares libaom's tunings at equal SSIM (WebP's at
// quality 75): each is calibrated, then its bytes and time are compared.
func BenchmarkTunings(b *testing.B) {
	speed := benchSpeed(b)
	d := libaomDefaults
	with := func(f func(*tuning)) tuning { t := d; f(&t); return t }
	tunings := []struct {
		name string
		t    tuning
	}{
		{"libaom-defaults", d},
		{"chosen", defaultTuning(speed)},
		{"tune-ssim", with(func(t *tuning) { t.tune = 1 })},
		{"deltaq-0", with(func(t *tuning) { t.deltaqMode = 0 })},
		{"deltaq-3", with(func(t *tuning) { t.deltaqMode = 3 })},
		{"qm", with(func(t *tuning) { t.enableQM = 1 })},
		{"sharpness-2", with(func(t *tuning) { t.sharpness = 2 })},
		{"chroma-deltaq", with(func(t *tuning) { t.chromaDeltaQ = 1 })},
		{"no-rect-partitions", with(func(t *tuning) { t.rectPartitions = 0 })},
	}
	for _, tu := range tunings {
		b.Run(tu.name, func(b *testing.B) {
			imgs := allWidths(b)
			for range b.N {
				wf := measure(b, webpEncoder(75), imgs)
				cq, af := calibrate(b, imgs, wf.ssim, speed, tu.t)
				b.ReportMetric(float64(cq), "cq")
				b.ReportMetric(float64(af.bytes)/float64(wf.bytes), "bytes/webp")
				af.report(b)
			}
		})
	}
}
