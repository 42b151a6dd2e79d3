// Package avif encodes still AVIF images: libaom (AV1, linked statically
// from Debian's libaom.a) codes the pixels in all-intra still-picture mode,
// and this package writes the HEIF container around them itself (see
// container.go), because Debian ships libavif only as a shared library and
// the converter is one static binary.
//
// Colour: the input is 8-bit sRGB; it is converted to full-range BT.601
// Y'CbCr 4:2:0 here and declared as such twice, in the AV1 sequence header
// and in an nclx colr property (BT.709 primaries, sRGB transfer, matrix 6,
// full range), so browsers never guess. Alpha becomes an auxiliary
// monochrome AV1 image, full range, as AVIF 4.1 asks.
package avif

import (
	"context"
	"fmt"
)

// Options say how to encode.
type Options struct {
	Quality int // 1-100, imgcells' scale (the edge snaps to it); mapped to libaom's cq-level
	Speed   int // libaom cpu-used; 0 means the package default chosen by measurement
	Threads int // 0 or 1: one thread
}

// DefaultSpeed is the speed used when Options.Speed is 0. See quality.go
// for the measurements that chose it.
const DefaultSpeed = 6

// alphaSpeed codes the alpha plane, which is lossless: speed only trades
// its bytes for time there, and speed 8 takes about a third of speed 6's.
const alphaSpeed = 8

// maxDim bounds each side: AV1 codes at most 65536 and the converter's
// limits are far below.
const maxDim = 1 << 16

// Encode encodes straight (not premultiplied) 8-bit RGB (ch 3) or RGBA (ch 4), rows packed,
// into a complete AVIF file. Alpha, when ch is 4, is kept as an auxiliary alpha image.
//
// A libaom encode cannot be interrupted: ctx is checked before it starts
// and before each plane's encode, and its error returned once it is done.
func Encode(ctx context.Context, pix []byte, w, h, ch int, o Options) ([]byte, error) {
	if o.Quality < 1 || o.Quality > 100 {
		return nil, encodeError(w, h, fmt.Errorf("quality %d outside 1-100", o.Quality))
	}
	speed := o.Speed
	if speed == 0 {
		speed = DefaultSpeed
	}
	return encode(ctx, pix, w, h, ch, cqLevel(o.Quality, speed), speed, o.Threads, defaultTuning(speed))
}

func encodeError(w, h int, err error) error {
	return fmt.Errorf("encoding %dx%d AVIF: %w", w, h, err)
}

// encode is Encode at a given cq-level and tuning.
func encode(ctx context.Context, pix []byte, w, h, ch, cq, speed, threads int, t tuning) ([]byte, error) {
	fail := func(err error) ([]byte, error) { return nil, encodeError(w, h, err) }
	switch {
	case ch != 3 && ch != 4:
		return fail(fmt.Errorf("%d channels, want 3 or 4", ch))
	case w < 1 || h < 1 || w > maxDim || h > maxDim:
		return fail(fmt.Errorf("size out of range 1-%d", maxDim))
	case len(pix) != w*h*ch:
		return fail(fmt.Errorf("%d bytes of pixels, want %d", len(pix), w*h*ch))
	case speed < 0 || speed > 9:
		return fail(fmt.Errorf("speed %d outside 0-9", speed))
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	p := params{w: w, h: h, speed: speed, threads: max(threads, 1), t: t}
	yuv := toYUV420(pix, w, h, ch)
	colour, err := p.encodePlanes(yuv.y, yuv.cb, yuv.cr, cq, false)
	if err != nil {
		return fail(err)
	}
	var alpha *item
	if ch == 4 {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		a, err := p.encodeAlpha(alphaPlane(pix, w, h))
		if err != nil {
			return fail(fmt.Errorf("alpha: %w", err))
		}
		alpha = &a
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	return mux(w, h, colour, alpha, cicpMatrixBT601, true), nil
}

// encodeAlpha codes an alpha plane as a lossless monochrome image, as
// libwebp (the converter's WebP encoder) codes alpha by default: soft edges
// keep their exact values and transparent pixels stay transparent. Chroma
// planes must still be valid memory for libaom: one mid-grey plane serves
// both.
func (p params) encodeAlpha(a []byte) (item, error) {
	cw, chh := chromaSize(p.w, p.h)
	grey := make([]byte, cw*chh)
	for i := range grey {
		grey[i] = 128
	}
	a8 := p
	a8.speed, a8.t = alphaSpeed, defaultTuning(alphaSpeed)
	return a8.encodePlanes(a, grey, grey, 0, true)
}
