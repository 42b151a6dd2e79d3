package lcms

import (
	"encoding/binary"
	"math"

	"imgcells/converter/internal/icc/icctest"
)

func encodeSRGB(v float64) float64 {
	v = min(max(v, 0), 1)
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

// primaryMatrix is the RGB→XYZ matrix of a space from its primaries and
// white point (CIE xy).
func primaryMatrix(p [3][2]float64, w [2]float64) [3][3]float64 {
	var m [3][3]float64
	for i, c := range p {
		m[0][i], m[1][i], m[2][i] = c[0]/c[1], 1, (1-c[0]-c[1])/c[1]
	}
	W := [3]float64{w[0] / w[1], 1, (1 - w[0] - w[1]) / w[1]}
	s := mul(invert(m), W)
	for r := range 3 {
		for c := range 3 {
			m[r][c] *= s[c]
		}
	}
	return m
}

func mul(m [3][3]float64, v [3]float64) [3]float64 {
	var o [3]float64
	for r := range 3 {
		o[r] = m[r][0]*v[0] + m[r][1]*v[1] + m[r][2]*v[2]
	}
	return o
}

func invert(m [3][3]float64) [3][3]float64 {
	a, b, c := m[0][0], m[0][1], m[0][2]
	d, e, f := m[1][0], m[1][1], m[1][2]
	g, h, i := m[2][0], m[2][1], m[2][2]
	det := a*(e*i-f*h) - b*(d*i-f*g) + c*(d*h-e*g)
	return [3][3]float64{
		{(e*i - f*h) / det, (c*h - b*i) / det, (b*f - c*e) / det},
		{(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det},
		{(d*h - e*g) / det, (b*g - a*h) / det, (a*e - b*d) / det},
	}
}

func d50XYZ() []byte { return icctest.D50XYZ() }

// cmykLut is a lut16 (CMYK ink amounts → Lab, two grid points a channel):
// paper white without ink, black with full K, each of C, M, Y darkening
// and tinting as its ink does.
func cmykLut() []byte {
	t := lut16(4, 2, 0)
	// Input curves: 2 entries each, identity.
	for range 4 {
		t = binary.BigEndian.AppendUint16(t, 0)
		t = binary.BigEndian.AppendUint16(t, 0xFFFF)
	}
	for c := range 2 {
		for m := range 2 {
			for y := range 2 {
				for k := range 2 {
					L, a, b := 100.0, 0.0, 0.0
					L -= 30*float64(c) + 40*float64(m) + 8*float64(y)
					a += -35*float64(c) + 60*float64(m) - 5*float64(y)
					b += -40*float64(c) - 5*float64(m) + 80*float64(y)
					if k == 1 {
						L, a, b = 0, 0, 0
					}
					L = max(L, 0)
					t = binary.BigEndian.AppendUint16(t, uint16(L*65280/100))
					t = binary.BigEndian.AppendUint16(t, uint16((a+128)*256))
					t = binary.BigEndian.AppendUint16(t, uint16((b+128)*256))
				}
			}
		}
	}
	for range 3 {
		t = binary.BigEndian.AppendUint16(t, 0)
		t = binary.BigEndian.AppendUint16(t, 0xFFFF)
	}
	return t
}

// sampledSRGB lays out sRGB the way the IEC61966-2.1 profile most cameras
// embed does: version 2, the D50-adapted colourants as XYZ tags, and each
// transfer curve as 1024 samples.
func sampledSRGB() []byte {
	xyz := func(x, y, z float64) []byte {
		t := []byte("XYZ \x00\x00\x00\x00")
		for _, v := range []float64{x, y, z} {
			t = binary.BigEndian.AppendUint32(t, uint32(int32(math.Round(v*65536))))
		}
		return t
	}
	curve := binary.BigEndian.AppendUint32([]byte("curv\x00\x00\x00\x00"), 1024)
	for i := range 1024 {
		v := float64(i) / 1023
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		curve = binary.BigEndian.AppendUint16(curve, uint16(math.Round(v*65535)))
	}
	return rawProfile("mntr", "RGB ", "XYZ ", map[string][]byte{
		"wtpt": d50XYZ(),
		"rXYZ": xyz(0.4361, 0.2225, 0.0139), "gXYZ": xyz(0.3851, 0.7169, 0.0971), "bXYZ": xyz(0.1431, 0.0606, 0.7141),
		"rTRC": curve, "gTRC": curve, "bTRC": curve,
	})
}
