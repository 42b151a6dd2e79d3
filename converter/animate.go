package converter

import (
	"context"
	"errors"
	"io"
	"time"

	"imgcells/contract"
	"imgcells/converter/internal/webpanim"
)

// animates reports whether the conversion keeps the source's motion: an
// animation of more than one frame asked as WebP or AVIF, made as animated
// WebP either way (no AVIF image sequences: every browser that accepts
// AVIF accepts WebP, and an AV1 sequence would cost far more to encode).
// JPEG and PNG get the first frame.
func animates(a animation, f contract.Format) bool {
	return keepsMotion(f) && a.frames > 1
}

// keepsMotion reports whether an animation asked as f is made animated.
func keepsMotion(f contract.Format) bool {
	return f == contract.FormatWebP || f == contract.FormatAVIF
}

// frameArena hands out the same buffers frame after frame: the resizer asks
// for the same sizes in the same order each time, so one frame's scratch
// is the next one's.
type frameArena struct {
	bufs [][]byte
	i    int
}

func (a *frameArena) alloc(n int) []byte {
	if a.i < len(a.bufs) && cap(a.bufs[a.i]) >= n {
		b := a.bufs[a.i][:n]
		a.i++
		return b
	}
	b := make([]byte, n)
	if a.i < len(a.bufs) {
		a.bufs[a.i] = b
	} else {
		a.bufs = append(a.bufs, b)
	}
	a.i++
	return b
}

func (a *frameArena) reset() { a.i = 0 }

// convertAnimation makes an animated WebP of the variant: every frame
// composited on the canvas, converted to sRGB, resized by the plan, turned
// upright and encoded, with the source's timing and number of plays.
// Frames are decoded and encoded one at a time; ctx stops it between two
// (and Go's GIF decoder within its reads).
func convertAnimation(ctx context.Context, kind sourceKind, src []byte, a animation, p plan, o int, v contract.Variant, cs colourSource) (*Result, error) {
	decodes.Add(1)
	t0 := time.Now()
	fr, w, h, err := openFrames(ctx, kind, src)
	if err != nil {
		return nil, err
	}
	defer fr.close()
	if p.srcW != w || p.srcH != h {
		return nil, contract.Corrupt(nil, "the animation's canvas is %dx%d, not the %dx%d its header says", w, h, p.srcW, p.srcH)
	}
	ow, oh := p.outW, p.outH
	if o >= 5 {
		ow, oh = oh, ow
	}
	enc, err := webpanim.NewEncoder(ow, oh, a.plays, float32(v.Quality))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	res := &Result{Format: contract.FormatWebP, Width: ow, Height: oh}
	canvas := make([]byte, w*h*4)
	var arena frameArena
	decode, resizing, encode := time.Since(t0), time.Duration(0), time.Duration(0)
	start := 0
	for res.Frames < a.frames { // no more than the limits were checked for
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t1 := time.Now()
		end, err := fr.next(canvas)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		t2 := time.Now()
		r := &raster{pix: canvas, w: w, h: h, ch: 4}
		res.Colour = cs.toSRGB(r)
		arena.reset()
		if p.resizes() {
			r = resize(r, p, arena.alloc)
		}
		r = orient(r, o)
		t3 := time.Now()
		if err := enc.Add(r.pix, start); err != nil {
			return nil, err
		}
		decode, resizing, encode = decode+t2.Sub(t1), resizing+t3.Sub(t2), encode+time.Since(t3)
		start = end
		res.Frames++
	}
	t4 := time.Now()
	if res.Data, err = enc.Finish(start); err != nil {
		return nil, err
	}
	res.Timings = Timings{Decode: decode, Resize: resizing, Encode: encode + time.Since(t4)}
	return res, nil
}
