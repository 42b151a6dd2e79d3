package avif

// Speed, tuning and quality were chosen by the benchmarks in
// bench_test.go, calibrate_test.go and worst_test.go, on the seven 8-17 MP
// benchmark photos (bench/run.sh's set) resized to 640 and 1280 wide, one
// thread, against imgcells' WebP (libwebp 1.4) in the same run. SSIM is the
// mean luma SSIM against the resized source (internal/ssim).
//
// Speed (cpu-used), per photo at equal SSIM (BenchmarkSpeedChoice; the SSIM
// speed 6 reaches at quality 75), geometric means over the photos and both
// widths, relative to speed 6 as chosen:
//
//	configuration                   bytes    encode CPU
//	speed 6, no rect partitions     1        1
//	speed 6, rect partitions        0.976x   1.14-1.30x
//	speed 7                         1.14x    0.77x
//	speed 8                         1.21x    0.45x  (the smooth gradient never reaches speed 6's SSIM)
//
// Speed 6 without rectangular partitions is used up to 1.7 MP (the converter's
// avifSpeed): a 1280×853 photograph takes 0.4-0.8 s of a core, and a fresh
// process converts a 12 MP JPEG to a 1280-wide AVIF in 0.5 s. Larger
// outputs use speed 8, which a 4 MP output can afford. Speeds 6 and 7 take
// smooth gradients for screen content and search intra block copy there (2
// us a pixel for no byte): it is off (aom.c).
//
// Tuning, at speed 8 and WebP-q75's SSIM (bytes relative to WebP,
// BenchmarkTunings): default 0.995, AOM_TUNE_SSIM 0.94 (+3 % time),
// deltaq-mode 0 or 3 0.995 (deltaq is off by default here; 3 is much
// slower), enable-qm 1.02, sharpness 2 1.02, chroma deltaq 0.993. Kept:
// AOM_TUNE_SSIM. Tried once at speed 6 without rectangular partitions
// (a throwaway variant of BenchmarkSpeedChoice, not kept): CDEF, loop
// restoration, 64-point transforms, AB and 4-way partitions or filter
// intra off changed no byte and no time beyond noise; CfL or smooth intra
// off cost 0.5-0.7 % bytes, the transform size search off 2.1 % (for 10 %
// less time), angle deltas off 2.6 %.

// defaultTuning is the libaom tuning Encode uses at a speed: AOM_TUNE_SSIM,
// and at speed 6 and slower no rectangular partitions.
func defaultTuning(speed int) tuning {
	t := tuning{tune: aomTuneSSIM, deltaqMode: -1, enableQM: -1, sharpness: -1, chromaDeltaQ: -1, rectPartitions: -1}
	if speed <= 6 {
		t.rectPartitions = 0
	}
	return t
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
var qualityAnchors = [...]anchor{
	{1, 52}, {10, 45}, {25, 38}, {40, 34}, {50, 31}, {60, 29}, {75, 25}, {80, 20}, {90, 10}, {100, 3},
}

// carefulAnchors are qualityAnchors for speed 6 (and slower speeds), the
// converter's speed up to 1.7 MP, calibrated the same way with speed 6's
// tuning (IMGCELLS_AVIF_SPEED=6): speed 6 reaches WebP's SSIM at higher
// cq-levels than speed 8.
//
//	quality  cq   WebP SSIM  AVIF SSIM  bytes
//	1        55   0.8656     0.8675     0.54x
//	10       47   0.9039     0.9081     0.63x
//	25       41   0.9317     0.9339     0.68x
//	40       37   0.9482     0.9482     0.69x
//	50       34   0.9557     0.9572     0.74x
//	60       32   0.9619     0.9620     0.74x
//	75       28   0.9697     0.9704     0.79x
//	80       24   0.9763     0.9774     0.82x
//	90       12   0.9880     0.9880     0.81x
//	100       3   0.9951     0.9956     0.86x
var carefulAnchors = [...]anchor{
	{1, 55}, {10, 47}, {25, 41}, {40, 37}, {50, 34}, {60, 32}, {75, 28}, {80, 24}, {90, 12}, {100, 3},
}

type anchor struct{ q, cq int }

// cqLevel maps imgcells' quality (1-100) to libaom's cq-level at a speed:
// the anchors' values, linear in between.
func cqLevel(q, speed int) int {
	anchors := qualityAnchors[:]
	if speed <= 6 {
		anchors = carefulAnchors[:]
	}
	for i := 1; i < len(anchors); i++ {
		a, b := anchors[i-1], anchors[i]
		if q <= b.q {
			// Round half away from zero; cq falls as q rises.
			num := (a.cq - b.cq) * (q - a.q)
			span := b.q - a.q
			return a.cq - (2*num+span)/(2*span)
		}
	}
	return anchors[len(anchors)-1].cq
}
