package converter

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"imgcells/contract"
	"imgcells/converter/arrive"
	"imgcells/converter/internal/jpegturbo"
)

// planarRuns counts conversions that went through the planes (planes.go):
// the tests' proof of which path ran.
var planarRuns atomic.Int64

// Timings are the wall-clock durations of the pipeline's stages.
type Timings struct{ Decode, Resize, Encode time.Duration }

// Result is one converted image.
type Result struct {
	Data          []byte
	Format        contract.Format // what was produced: png when jpeg was asked for and the source has real transparency
	Width, Height int
	Timings       Timings
	Colour        string // what was done about the source's colour profile (colour.go), for the log line
	Frames        int    // an animated output's frames; 0 for a still image
}

// Convert turns an original (JPEG, PNG, GIF or WebP) into the variant v.
// Bad input is refused with an *Error before any pixel is decoded where
// possible: 400 for an invalid variant, 413 over the limits or the budget,
// 415 for an unsupported format, 422 for a corrupt or truncated image. EXIF
// orientation is applied and no metadata is carried into the output.
func Convert(src []byte, v contract.Variant, lim Limits) (*Result, error) {
	return ConvertContext(context.Background(), src, v, lim)
}

// ConvertContext is Convert that also stops when ctx ends. Either way a
// conversion has at most its budget's ConvertTime: one predicted to need
// more is refused from its headers, and one that runs past it anyway is
// stopped inside the decoder or encoder and answered with a 413 (never a
// 5xx: a 4xx is cached briefly, so a file that is too expensive costs one
// conversion, not one per request).
func ConvertContext(ctx context.Context, src []byte, v contract.Variant, lim Limits) (*Result, error) {
	w, err := check(src, v, lim)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, lim.budget().ConvertTime())
	defer cancel()
	prepare(w.cost)
	res, err := w.run(ctx, src, v)
	// Once run has returned nothing holds its rasters: what a warm
	// converter keeps can be trimmed now.
	settle(w.cost)
	return res, err
}

// run decodes, resizes and encodes.
func (w work) run(ctx context.Context, src []byte, v contract.Variant) (*Result, error) {
	s, p, o := w.src, w.plan, w.orientation
	if w.anim != nil {
		res, err := convertAnimation(ctx, s.kind, src, *w.anim, p, o, v, w.colour)
		return res, stopped(ctx, err)
	}
	var res Result
	var sc scratch // pooled pixel buffers, released when the result is encoded
	defer sc.release()
	t0 := time.Now()
	cs := w.colour
	var planes *jpegturbo.Planes
	var want **jpegturbo.Planes
	note, planar := w.planar()
	if planar {
		want = &planes
	}
	r, p, err := decode(ctx, s, src, w.arriving, p, sc.alloc, &cs, want)
	if err != nil {
		return nil, stopped(ctx, err)
	}
	var dw, dh int // the decoded size: the luma plane's, or the raster's
	if planes != nil {
		dw, dh = planes.W[0], planes.H[0]
	} else {
		dw, dh = r.w, r.h
	}
	if !p.fits(dw, dh) {
		return nil, contract.Corrupt(nil, "the decoded image is %dx%d, not the %dx%d its header says", dw, dh, p.srcW, p.srcH)
	}
	if planes != nil {
		res.Timings.Decode = time.Since(t0)
		if err := runPlanes(ctx, planes, p, o, v.Quality, sc.alloc, &res); err != nil {
			return nil, stopped(ctx, err)
		}
		planarRuns.Add(1)
		res.Colour = note
		return &res, nil
	}
	res.Colour = cs.toSRGB(r) // before resizing: the resizer works on sRGB values
	t1 := time.Now()
	if p.resizes() {
		r = resize(r, p, sc.alloc)
	}
	r = orient(r, o)
	if err := ctx.Err(); err != nil {
		return nil, stopped(ctx, err)
	}
	t2 := time.Now()

	res.Format = w.format
	if r.ch == 4 {
		if !r.hasAlpha() {
			r = r.dropAlpha()
		} else if w.format == contract.FormatJPEG {
			res.Format = contract.FormatPNG
		}
	}
	res.Data, err = encode(ctx, r, res.Format, v.Quality)
	if err != nil {
		return nil, stopped(ctx, err)
	}
	res.Width, res.Height = r.w, r.h
	res.Timings = Timings{Decode: t1.Sub(t0), Resize: t2.Sub(t1), Encode: time.Since(t2)}
	return &res, nil
}

// work is a conversion checked against the limits and the budget, from the
// headers alone.
type work struct {
	src         *source
	plan        plan
	cost        cost
	orientation int
	colour      colourSource // the embedded profile, checked
	anim        *animation   // the frames to keep, when the output stays animated
	format      contract.Format
	arriving    *arrive.Buffer // a JPEG decoded while it arrives (ConvertArriving)
}

// check reads the headers and checks them against the limits and the
// budget: everything Convert refuses before decoding.
func check(src []byte, v contract.Variant, lim Limits) (work, error) {
	return checkHeaders(src, len(src), v, lim)
}

// checkHeaders is check of the first bytes of a file of total bytes: a
// JPEG's head through its first scan header (ConvertArriving) when fewer.
// The rest of such a file is priced as entropy-coded data of one scan; a
// progressive one, or one whose first scan leaves out a component, is
// priced with libjpeg's whole-image coefficient buffer, as libjpeg decides
// from the same headers.
func checkHeaders(src []byte, total int, v contract.Variant, lim Limits) (work, error) {
	if err := v.Validate(); err != nil {
		return work{}, err
	}
	if err := lim.checkBytes(total); err != nil {
		return work{}, err
	}
	kind, err := sniff(src)
	if err != nil {
		return work{}, err
	}
	s, err := readHeader(kind, src)
	if err != nil {
		return work{}, err
	}
	if total > len(src) && s.jpeg != nil {
		s.jpeg.partial = true
		s.jpeg.dataBytes += total - len(src)
	}
	if err := lim.checkPixels(s.w, s.h); err != nil {
		return work{}, err
	}
	o := orientation(kind, src)
	cs := readColour(kind, src)
	s.profiled = cs.profile != nil
	if keepsMotion(v.Format) && (kind == kindGIF || s.animated) {
		a, err := scanAnimation(kind, src)
		if err != nil {
			return work{}, err
		}
		if animates(a, v.Format) {
			if err := lim.checkAnimation(a, s.w, s.h); err != nil {
				return work{}, err
			}
			p := makePlan(s.w, s.h, o, v)
			c, err := fitAnimation(s, a, p, lim.budget(), total)
			if err != nil {
				return work{}, err
			}
			return work{src: s, plan: p, cost: c, orientation: o, colour: cs, anim: &a, format: contract.FormatWebP}, nil
		}
	}
	p, c, f, err := fit(s, makePlan(s.w, s.h, o, v), o, v, lim.budget(), total)
	if err != nil {
		return work{}, err
	}
	return work{src: s, plan: p, cost: c, orientation: o, colour: cs, format: f}, nil
}

// Prediction is what the cost model expects of a conversion, from the
// headers alone: the work on one core of the calibration machine, the peak
// memory, and the output size after the budget's caps.
type Prediction struct {
	Decode, Resize, Encode time.Duration
	PeakBytes              int64
	Width, Height          int // as displayed (EXIF orientation applied)
	// Format is what will be encoded: the format asked, or PNG for JPEG
	// of a source with an alpha channel, or WebP for AVIF of an animation
	// or of an output too large for AVIF (avifFits).
	Format contract.Format
}

// Predict runs Convert's checks without converting: the prediction, or the
// refusal Convert would give before decoding.
func Predict(src []byte, v contract.Variant, lim Limits) (Prediction, error) {
	w, err := check(src, v, lim)
	if err != nil {
		return Prediction{}, err
	}
	pr := Prediction{Decode: w.cost.decode, Resize: w.cost.resize, Encode: w.cost.encode,
		PeakBytes: w.cost.peak, Width: w.plan.outW, Height: w.plan.outH, Format: w.format}
	if w.orientation >= 5 {
		pr.Width, pr.Height = pr.Height, pr.Width
	}
	return pr, nil
}

// stopped is err, unless the conversion ran out of time: then a 413 that
// says so (the decoder's own error, whatever it was, is the detail).
func stopped(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return contract.OverBudget(errors.Join(context.Cause(ctx), err), "the image took too long to convert within this converter's budget")
}
