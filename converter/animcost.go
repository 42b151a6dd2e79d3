package converter

import (
	"time"

	"imgcells/contract"
)

// What keeping an animation and applying a profile cost, on the cost
// model's terms (cost.go: one core of the calibration machine, each the
// worst measured rate rounded up; BenchmarkAnimation and BenchmarkICC
// measure them).
const (
	// Little CMS, per pixel: an RGB matrix-shaper profile (measured 13–20
	// ns, Display P3) and a CMYK lookup-table profile (measured 77–104 ns:
	// four-dimensional interpolation).
	nsColourRGB  = 25
	nsColourCMYK = 120
	// libwebp's animation encoder, per output pixel of each frame: it
	// encodes a frame more than once (key frame or not, the changed
	// rectangle or all of it) and keeps the smallest. Measured 155–165 ns
	// for full-frame photographic frames at quality 75, 57–74 for a
	// transparent sprite moving over an empty canvas.
	nsEncodeAnim = 200
	// Each frame is laid on the canvas and copied out: per canvas pixel.
	nsCompositePixel = 10
)

func colourNs(s *source) int64 {
	if s.kind == kindJPEG && s.jpeg != nil && len(s.jpeg.comps) == 4 {
		return nsColourCMYK
	}
	return nsColourRGB
}

// fitAnimation checks an animation kept animated against the budget from
// its headers: every frame is decoded, laid on the w×h canvas, converted
// to sRGB when profiled, resized and encoded. One that would not finish in
// the function's time, or not fit its memory, is refused (413) before a
// frame is decoded; its output is not shrunk to fit, as a still image's is.
func fitAnimation(s *source, a animation, p plan, b contract.Budget, srcBytes int) (cost, error) {
	frames, canvas := int64(a.frames), s.pixels()
	out := int64(p.outW) * int64(p.outH)
	perDecoded := int64(nsGIFFrame)
	if s.kind == kindWebP {
		perDecoded = nsWebPPixel
	}
	c := cost{decode: time.Duration(a.framePx*perDecoded + frames*canvas*nsCompositePixel)}
	if s.profiled {
		c.decode += time.Duration(frames * canvas * nsColourRGB)
	}
	var rmem int64
	if p.resizes() {
		c.resizeIn = time.Duration(frames * canvas * 4 * nsResizeIn)
		c.resize = c.resizeIn + time.Duration(frames*out*nsResizeOut)
		rmem = resizeBuffers(p, 4)
	} else {
		c.resize = time.Duration(frames * out * nsCopyOut)
	}
	c.encode = time.Duration(frames * out * nsEncodeAnim)
	// Memory: the file and its copy, the decoded frames (a GIF's all at
	// once, a byte a pixel; libwebp's canvas and the one before it), three
	// canvases (now, under a restore-to-previous frame, handed out), the
	// resizer's buffers and the turned frame, the encoder's pictures and
	// candidates (about six RGBA frames of the output) and the encoded
	// frames it holds until the end (measured 0.15 bytes a pixel; counted
	// at half a byte).
	decoded := a.framePx
	if s.kind == kindWebP {
		decoded = 2 * canvas * 4
	}
	c.cPeak = out*4*6 + frames*out/2
	c.peak = 2*int64(srcBytes) + decoded + 3*canvas*4 + rmem + out*4 + c.cPeak
	if allow := cpuAllowance(b); c.total() > allow {
		return c, contract.TooLarge("the %d-frame %dx%d animation would take about %.0f s to convert, more than this converter's budget",
			a.frames, s.w, s.h, wallSeconds(c.total(), b))
	}
	if c.peak > b.WorkingBytes() {
		return c, contract.TooLarge("the %d-frame %dx%d animation needs about %d MB to convert, more than this converter's %d MB",
			a.frames, s.w, s.h, c.peak>>20, b.MemoryMB)
	}
	return c, nil
}
