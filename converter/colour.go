package converter

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"imgcells/converter/internal/icc"
	"imgcells/converter/internal/lcms"
)

// Colour notes: what the converter did about a source's colour, for the
// log line (Result.Colour). Outputs carry no profile: an untagged image is
// sRGB to every browser.
const (
	colourUntagged = ""           // nothing embedded: sRGB assumed, as browsers do
	colourSRGB     = "srgb"       // tagged sRGB (or as good as): pixels untouched
	colourICC      = "icc"        // converted from its embedded profile
	colourPNG      = "png-chrm"   // converted from PNG cHRM (and gAMA) chunks
	colourNaive    = "cmyk-naive" // CMYK without a usable profile: converted as browsers do without one
	colourIgnored  = "icc-ignored: "
)

// colourSource is a source's colour description, read from its headers.
type colourSource struct {
	profile []byte    // a profile that passed icc.Check, or one built from PNG chunks
	space   icc.Space // what the profile describes
	note    string    // the note if nothing is converted (sRGB, ignored and why)
	png     bool      // the profile was built from cHRM/gAMA
}

// readColour finds the colour description of a source before decoding. A
// profile that fails the checks is ignored with the reason in the note.
func readColour(kind sourceKind, src []byte) colourSource {
	var prof []byte
	var err error
	want := icc.RGB
	switch kind {
	case kindJPEG:
		var j icc.JPEG
		j, err = icc.FromJPEG(src)
		prof = j.Profile
		switch j.Components {
		case 1:
			want = icc.Gray
		case 4:
			want = icc.CMYK
		}
	case kindPNG:
		var p icc.PNG
		p, err = icc.FromPNG(src)
		if err == nil && p.Profile == nil {
			return pngChunkColour(p)
		}
		prof = p.Profile
		if len(src) > 25 && (src[25] == 0 || src[25] == 4) { // colour types 0 and 4: grey
			want = icc.Gray
		}
	case kindWebP:
		prof, err = icc.FromWebP(src)
	}
	if errors.Is(err, icc.ErrNoImage) {
		return colourSource{} // the decoder reports the damage
	}
	if err != nil {
		return colourSource{note: colourIgnored + err.Error()}
	}
	if prof == nil {
		return colourSource{}
	}
	p, err := icc.Check(prof)
	if err != nil {
		return colourSource{note: colourIgnored + err.Error()}
	}
	if p.Space != want {
		return colourSource{note: fmt.Sprintf("%sa %s profile on a %s image", colourIgnored, p.Space, want)}
	}
	return colourSource{profile: p.Data, space: p.Space}
}

// pngChunkColour is the colour a PNG without iCCP declares. sRGB and
// gAMA alone are left to the PNG decoder (libpng converts a gAMA to sRGB's
// gamma itself, at 16-bit precision); cHRM primaries need a profile.
func pngChunkColour(p icc.PNG) colourSource {
	if p.SRGB {
		return colourSource{note: colourSRGB}
	}
	if !p.HasChrm() {
		return colourSource{}
	}
	xy := func(i int) [2]float64 { return [2]float64{float64(p.Chrm[2*i]) / 1e5, float64(p.Chrm[2*i+1]) / 1e5} }
	gamma := 0.0 // sRGB's curve when no gAMA says otherwise
	if p.Gamma > 0 {
		gamma = 1e5 / float64(p.Gamma)
	}
	if gamma > 10 || gamma < 0.1 || xy(0)[1] <= 0 || xy(1)[1] <= 0 || xy(2)[1] <= 0 || xy(3)[1] <= 0 {
		return colourSource{note: colourIgnored + "PNG cHRM or gAMA out of range"}
	}
	prof, err := lcms.RGBProfile(xy(0), xy(1), xy(2), xy(3), gamma)
	if err != nil {
		return colourSource{note: colourIgnored + err.Error()}
	}
	return colourSource{profile: prof, space: icc.RGB, png: true}
}

// toSRGB converts a decoded RGB, RGBA or grey-as-RGB raster to sRGB in
// place and says what it did.
func (c colourSource) toSRGB(r *raster) string {
	kind := lcms.RGB
	switch {
	case c.space == icc.Gray:
		kind = lcms.Gray
	case r.ch == 4:
		kind = lcms.RGBA
	}
	t, note := c.transform(kind)
	if t == nil {
		return note
	}
	defer t.Release()
	if kind == lcms.Gray {
		t.Grey(r.pix, r.ch)
	} else {
		parallel(r.w*r.h, func(from, to int) {
			t.Apply(r.pix[from*r.ch:to*r.ch], r.pix[from*r.ch:to*r.ch], to-from)
		})
	}
	if c.png {
		return colourPNG
	}
	return colourICC
}

// transform is the transform that brings pixels of kind to sRGB (release
// it), or nil and the note when they stay as they are: no profile, a
// profile that fails, or one that moves nothing (sRGB however written).
func (c colourSource) transform(kind lcms.Kind) (*lcms.Transform, string) {
	if c.profile == nil {
		return nil, c.note
	}
	t, err := lcms.Lookup(c.profile, kind)
	if err != nil {
		return nil, colourIgnored + err.Error()
	}
	if t.Identity() {
		t.Release()
		return nil, colourSRGB
	}
	return t, ""
}

// cmykToSRGB converts inverted CMYK pixels to an sRGB raster through the
// profile, or as browsers do without one (cmykToRGB) when there is none or
// it fails. The source's colour is then settled: toSRGB only reports it.
// A nil c is a source nobody read the colour of.
func (c *colourSource) cmykToSRGB(pix []byte, w, h int, alloc func(int) []byte) *raster {
	if c == nil {
		return cmykToRGB(pix, w, h)
	}
	prof := c.profile
	c.profile = nil
	if prof != nil {
		t, err := lcms.Lookup(prof, lcms.CMYK)
		if err == nil {
			defer t.Release()
			out := &raster{pix: alloc(w * h * 3), w: w, h: h, ch: 3}
			parallel(w*h, func(from, to int) { t.Apply(pix[from*4:to*4], out.pix[from*3:to*3], to-from) })
			c.note = colourICC
			return out
		}
		c.note = colourIgnored + err.Error()
	}
	if c.note == "" {
		c.note = colourNaive
	} else {
		c.note = colourNaive + "; " + c.note
	}
	return cmykToRGB(pix, w, h)
}

// colourGrain is the fewest pixels worth handing to another core.
const colourGrain = 1 << 18

// parallel runs f over [0, n) in contiguous parts, one per core for large
// images (a transform is safe to share: lcms copies its cache per call).
func parallel(n int, f func(from, to int)) {
	parts := min(runtime.GOMAXPROCS(0), max(1, n/colourGrain))
	if parts == 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	step := int(math.Ceil(float64(n) / float64(parts)))
	for from := 0; from < n; from += step {
		wg.Go(func() { f(from, min(from+step, n)) })
	}
	wg.Wait()
}
