package converter

import (
	"time"

	"imgcells/contract"
)

// Timings are the wall-clock durations of the pipeline's stages.
type Timings struct{ Decode, Resize, Encode time.Duration }

// Result is one converted image.
type Result struct {
	Data          []byte
	Format        contract.Format // what was produced: png when jpeg was asked for and the source has real transparency
	Width, Height int
	Timings       Timings
}

// Convert turns an original (JPEG, PNG, GIF or WebP) into the variant v.
// Bad input is refused with an *Error before any pixel is decoded where
// possible: 400 for an invalid variant, 413 over the limits, 415 for an
// unsupported format, 422 for a corrupt or truncated image. EXIF
// orientation is applied and no metadata is carried into the output.
func Convert(src []byte, v contract.Variant, lim Limits) (*Result, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	if err := lim.checkBytes(len(src)); err != nil {
		return nil, err
	}
	kind, err := sniff(src)
	if err != nil {
		return nil, err
	}
	w, h, err := headerSize(kind, src)
	if err != nil {
		return nil, err
	}
	if err := lim.checkPixels(w, h); err != nil {
		return nil, err
	}
	o := orientation(kind, src)
	p := makePlan(w, h, o, v)

	var res Result
	var sc scratch // pooled pixel buffers, released when the result is encoded
	defer sc.release()
	t0 := time.Now()
	r, p, err := decode(kind, src, p, sc.alloc)
	if err != nil {
		return nil, err
	}
	if !p.fits(r.w, r.h) {
		// The decoded image is not the size the header said (a GIF frame
		// smaller than its screen): plan again from what was decoded.
		p = makePlan(r.w, r.h, o, v)
	}
	t1 := time.Now()
	if p.cropX != 0 || p.cropY != 0 || p.cropW != r.w || p.cropH != r.h || p.outW != r.w || p.outH != r.h {
		r = resize(r, p, sc.alloc)
	}
	r = orient(r, o)
	t2 := time.Now()

	res.Format = v.Format
	if r.ch == 4 {
		if !r.hasAlpha() {
			r = r.dropAlpha()
		} else if v.Format == contract.FormatJPEG {
			res.Format = contract.FormatPNG
		}
	}
	res.Data, err = encode(r, res.Format, v.Quality)
	if err != nil {
		return nil, err
	}
	res.Width, res.Height = r.w, r.h
	res.Timings = Timings{Decode: t1.Sub(t0), Resize: t2.Sub(t1), Encode: time.Since(t2)}
	return &res, nil
}
