package avif

// Speed, tuning and quality were chosen by the benchmarks in
// bench_test.go and calibrate_test.go, on the seven 8-17 MP benchmark
// photos (bench/run.sh's set) resized to 640 and 1280 wide, one thread,
// against imgcells' WebP (libwebp 1.4) in the same run. SSIM is the mean
// luma SSIM against the resized source (internal/ssim).
//
// Speed (cpu-used), quality 75, 1280 wide, least loaded run:
//
//	speed   ns/px   B/px at WebP-q75's SSIM   (WebP: 137 ns/px)
//	5       2751    —
//	6        672    —
//	7        454    0.92x WebP
//	8        165    1.00x WebP (0.94x with AOM_TUNE_SSIM)
//	9         53    1.01x WebP
//
// Speed 8: a 1280×853 encode takes about 0.18 s, well inside the 0.8 s a
// fresh 12 MP JPEG → 1280-wide AVIF may take; speed 7 saves 6-8 % more
// bytes for three times the time, speed 9 is three times faster but no
// smaller than WebP at equal SSIM from quality 50 up (1.04x at 80, 1.08x
// at 90, 1.11x at 100).
//
// Tuning, at speed 8 and WebP-q75's SSIM (bytes relative to WebP):
// default 0.995, AOM_TUNE_SSIM 0.94 (+3 % time), deltaq-mode 0 or 3 0.995
// (deltaq is off by default here; 3 is much slower), enable-qm 1.02,
// sharpness 2 1.02, chroma deltaq 0.993. Kept: AOM_TUNE_SSIM.

// defaultTuning is the libaom tuning Encode uses.
func defaultTuning() tuning {
	return tuning{tune: aomTuneSSIM, deltaqMode: -1, enableQM: -1, sharpness: -1, chromaDeltaQ: -1}
}

// aomTuneSSIM is libaom's AOM_TUNE_SSIM.
const aomTuneSSIM = 1

// qualityAnchors map imgcells' quality to libaom's cq-level (0-63, lower
// is better; 0 would be lossless) so that AVIF at quality Q has about the
// mean SSIM of imgcells' WebP at Q: turning AVIF on changes bytes, not what
// viewers see. Calibrated at speed 8 with AOM_TUNE_SSIM (calibrate_test.go:
// the largest cq-level whose mean SSIM reaches WebP's); bytes are AVIF's
// over WebP's.
//
//	quality  cq   WebP SSIM  AVIF SSIM  bytes
//	1        52   0.8656     0.8699     0.62x
//	10       45   0.9039     0.9057     0.67x
//	25       38   0.9317     0.9353     0.80x
//	40       34   0.9482     0.9490     0.83x
//	50       31   0.9557     0.9573     0.89x
//	60       29   0.9619     0.9621     0.89x
//	75       25   0.9697     0.9705     0.94x
//	80       20   0.9763     0.9772     0.97x
//	90       10   0.9880     0.9882     0.96x
//	100       3   0.9951     0.9952     0.90x
var qualityAnchors = [...]struct{ q, cq int }{
	{1, 52}, {10, 45}, {25, 38}, {40, 34}, {50, 31}, {60, 29}, {75, 25}, {80, 20}, {90, 10}, {100, 3},
}

// cqLevel maps imgcells' quality (1-100) to libaom's cq-level: the anchors'
// values, linear in between.
func cqLevel(q int) int {
	for i := 1; i < len(qualityAnchors); i++ {
		a, b := qualityAnchors[i-1], qualityAnchors[i]
		if q <= b.q {
			// Round half away from zero; cq falls as q rises.
			num := (a.cq - b.cq) * (q - a.q)
			span := b.q - a.q
			return a.cq - (2*num+span)/(2*span)
		}
	}
	return qualityAnchors[len(qualityAnchors)-1].cq
}
