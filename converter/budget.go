package converter

import (
	"math"
	"time"

	"imgcells/contract"
)

// budgetSafety is how far the model's prediction must stay below the time
// a conversion may take: it covers the model's error and a Lambda core
// slower than the calibration machine's. The deadline inside the decoders
// catches what it still misses.
const budgetSafety = 1.5

// decodeShare is the most of the time budget the source side (decoding,
// the reading half of resizing) may take; encoding gets the rest, and an
// output too large for it is scaled down.
const decodeShare = 0.75

// cpuAllowance is the reference CPU time a conversion may be predicted to
// take: the conversion's time over the safety factor, on the function's
// share of a core (a decoder uses one core, whatever Lambda gives).
func cpuAllowance(b contract.Budget) time.Duration {
	return time.Duration(float64(b.ConvertTime()) / budgetSafety * min(1, b.CPU()))
}

// maxOutputSide is the largest width or height each encoder writes.
func maxOutputSide(f contract.Format) int {
	switch f {
	case contract.FormatJPEG:
		return 65500 // libjpeg's JPEG_MAX_DIMENSION
	case contract.FormatPNG:
		return math.MaxInt32
	}
	return contract.MaxDimension // WebP's 16383, and formats the model does not know yet
}

// fit checks the conversion against the budget before anything is
// decoded. It refuses (413) a source whose decoding alone would not fit the
// time or memory, and scales down an output its encoder cannot make (WebP
// past 16383 pixels) or could not make in time (a full-size PNG of a huge
// photo): such outputs keep their aspect ratio and shrink to the largest
// size that fits. It returns the plan to carry out and its predicted cost.
// It also returns the format to encode: AVIF falls back to WebP (see
// avifFits).
func fit(s *source, p plan, o int, v contract.Variant, b contract.Budget, srcBytes int) (plan, cost, contract.Format, error) {
	f := v.Format
	if f == contract.FormatJPEG && s.alpha {
		f = contract.FormatPNG // a transparent image is encoded as PNG
	}
	if f == contract.FormatAVIF && !avifFits(s, p, o, b, srcBytes) {
		f = contract.FormatWebP
	}
	p, c, err := fitFormat(s, p, o, f, b, srcBytes)
	return p, c, f, err
}

// avifFits reports whether the output of plan p is made as AVIF: when it
// has at most maxAVIFPixels pixels (on the function's share of a core) and
// the whole conversion as AVIF fits the budget at the size asked. Otherwise
// the same key gets a WebP of that size, which is three to five times
// faster to encode: every browser that accepts AVIF accepts WebP, and an
// image is never made smaller than asked only because AVIF is slower.
func avifFits(s *source, p plan, o int, b contract.Budget, srcBytes int) bool {
	if p.outW > maxOutputSide(contract.FormatAVIF) || p.outH > maxOutputSide(contract.FormatAVIF) ||
		float64(p.outW)*float64(p.outH) > float64(maxAVIFPixels)*min(1, b.CPU()) {
		return false
	}
	c := estimate(s, p, o, contract.FormatAVIF, srcBytes)
	return c.total() <= cpuAllowance(b) && c.peak <= b.WorkingBytes()
}

// fitFormat is fit once the format is chosen.
func fitFormat(s *source, p plan, o int, f contract.Format, b contract.Budget, srcBytes int) (plan, cost, error) {
	ch := int64(3)
	if s.alpha {
		ch = 4
	}
	p = p.shrinkOutput(maxOutputSide(f), math.MaxInt64)
	allow := cpuAllowance(b)
	c := estimate(s, p, o, f, srcBytes)
	if in := c.decode + c.resizeIn; float64(in) > decodeShare*float64(allow) {
		return p, c, contract.TooLarge("the %dx%d %s would take about %.0f s to decode, more than this converter's budget",
			s.w, s.h, s.kind, wallSeconds(in, b))
	}
	// An output too large to encode in time is scaled down: to what the
	// rest of the time allows once the source is read for resizing, then
	// further while rounding leaves it over.
	for range 8 {
		if c.total() <= allow {
			break
		}
		in := c.decode + resizeInput(s, p)
		out := int64(p.outW) * int64(p.outH)
		p = p.shrinkOutput(maxOutputSide(f), min(maxOutputPixels(f, ch, allow-in), out*9/10))
		c = estimate(s, p, o, f, srcBytes)
	}
	if c.total() > allow {
		return p, c, contract.TooLarge("the %dx%d %s would take about %.0f s to convert, more than this converter's budget",
			s.w, s.h, s.kind, wallSeconds(c.total(), b))
	}
	if c.peak > b.WorkingBytes() {
		return p, c, contract.TooLarge("the %dx%d %s needs about %d MB to convert, more than this converter's %d MB",
			s.w, s.h, s.kind, c.peak>>20, b.MemoryMB)
	}
	return p, c, nil
}

// resizeInput is the cost of reading the decoded source for resizing,
// whether or not the plan resizes yet.
func resizeInput(s *source, p plan) time.Duration {
	w, h := p.srcW, p.srcH
	if s.kind == kindJPEG {
		d := jpegDenom(p)
		w, h = ceilDiv(s.w, d), ceilDiv(s.h, d)
	}
	ch := int64(3)
	if s.alpha {
		ch = 4
	}
	return time.Duration(int64(w) * int64(h) * ch * nsResizeIn)
}

// wallSeconds is a reference CPU time as the function's wall time.
func wallSeconds(d time.Duration, b contract.Budget) float64 {
	return d.Seconds() / min(1, b.CPU())
}

// maxOutputPixels is the largest output of format f (ch channels) that
// can be resized and encoded in d.
func maxOutputPixels(f contract.Format, ch int64, d time.Duration) int64 {
	at := func(px int64) int64 {
		ns, _, _ := encodeCost(f, px, ch)
		return int64(d) / (ns/px + nsResizeOut)
	}
	n := at(1)
	if n > webpBigOutput {
		// Past WebP's knee the slow rate applies: as far as it allows, or
		// the knee.
		n = max(webpBigOutput, at(webpBigOutput+1))
	}
	return n
}

// shrinkOutput scales the output down, keeping its aspect ratio, until
// neither side exceeds maxSide and it has at most maxPixels pixels.
func (p plan) shrinkOutput(maxSide int, maxPixels int64) plan {
	s := min(1, float64(maxSide)/float64(p.outW), float64(maxSide)/float64(p.outH))
	if px := float64(p.outW) * float64(p.outH); px*s*s > float64(maxPixels) {
		s = min(s, math.Sqrt(float64(max(maxPixels, 1))/px))
	}
	if s >= 1 {
		return p
	}
	p.outW = min(p.outW, max(1, int(float64(p.outW)*s)))
	p.outH = min(p.outH, max(1, int(float64(p.outH)*s)))
	return p
}
