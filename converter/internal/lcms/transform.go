package lcms

import "fmt"

// Transform converts pixels of one layout from a profile to sRGB. It comes
// from the shared cache: Release it when done.
type Transform struct {
	e    *entry
	kind Kind
}

// Lookup returns the transform from profile to sRGB for pixels of the
// given layout, built once per distinct profile and kept (cache.go). The
// error, wrapping ErrProfile, says why a profile cannot be used: it does
// not parse, describes another colour space, or asks lcms for more than
// BuildCap. Intent: perceptual, as sharp uses (for the matrix-shaper
// profiles of cameras and phones it equals relative colorimetric; it
// differs only for lookup-table profiles, such as press CMYK).
func Lookup(profile []byte, kind Kind) (*Transform, error) {
	e := shared.get(profile, kind)
	if e.err != nil {
		shared.release(e)
		return nil, e.err
	}
	return &Transform{e: e, kind: kind}, nil
}

// Identity reports whether the transform leaves every 8-bit value within
// one of itself: the profile is sRGB (or as good as), and the pixels can
// be used as they are.
func (t *Transform) Identity() bool { return t.e.ident }

// Apply converts n pixels from in to out: 3 bytes a pixel each way for
// RGB, 4 for RGBA (alpha copied), 4 in and 3 out for CMYK. in and out may
// be the same buffer for RGB and RGBA.
func (t *Transform) Apply(in, out []byte, n int) {
	inCh, outCh := t.kind.channels(), t.kind.channels()
	if t.kind == CMYK {
		outCh = 3
	}
	if t.kind == Gray || len(in) < n*inCh || len(out) < n*outCh {
		panic(fmt.Sprintf("lcms: Apply of %d pixels to %d and %d bytes (kind %d)", n, len(in), len(out), t.kind))
	}
	t.e.x.apply(in, out, n)
}

// Grey converts grey pixels in place, stored as ch-byte pixels whose first
// three samples are equal (a grey image decoded to RGB or RGBA): each of
// those goes through the grey transform, alpha is left alone.
func (t *Transform) Grey(pix []byte, ch int) {
	lut := t.e.lut
	for i := 0; i+2 < len(pix); i += ch {
		pix[i], pix[i+1], pix[i+2] = lut[pix[i]], lut[pix[i+1]], lut[pix[i+2]]
	}
}

// Release hands the transform back to the cache.
func (t *Transform) Release() {
	if t != nil && t.e != nil {
		shared.release(t.e)
		t.e = nil
	}
}
