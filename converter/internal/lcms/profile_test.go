package lcms

import (
	"sort"

	"imgcells/converter/internal/icc/icctest"
)

// Primaries (CIE xy) of the spaces the tests use.
var (
	d65         = [2]float64{0.3127, 0.3290}
	srgbRGB     = [3][2]float64{{0.64, 0.33}, {0.30, 0.60}, {0.15, 0.06}}
	displayP3   = [3][2]float64{{0.680, 0.320}, {0.265, 0.690}, {0.150, 0.060}}
	adobeRGB    = [3][2]float64{{0.64, 0.33}, {0.21, 0.71}, {0.15, 0.06}}
	adobeGamma  = 563.0 / 256
	p3Profile   = mustProfile(d65, displayP3, 0)
	srgbProfile = mustProfile(d65, srgbRGB, 0)
)

func mustProfile(white [2]float64, p [3][2]float64, gamma float64) []byte {
	b, err := RGBProfile(white, p[0], p[1], p[2], gamma)
	if err != nil {
		panic(err)
	}
	return b
}

// rawProfile lays out a profile with its tags in name order.
func rawProfile(class, space, pcs string, tags map[string][]byte) []byte {
	names := make([]string, 0, len(tags))
	for n := range tags {
		names = append(names, n)
	}
	sort.Strings(names)
	var t []icctest.Tag
	for _, n := range names {
		t = append(t, icctest.Tag{Sig: n, Data: tags[n]})
	}
	return icctest.Profile(class, space, pcs, t...)
}

// lut16 is an mft2 tag claiming grid^in entries and carrying entries
// 16-bit values after its header.
func lut16(in, grid, entries int) []byte { return icctest.Lut16(byte(in), byte(grid), 2*entries) }
