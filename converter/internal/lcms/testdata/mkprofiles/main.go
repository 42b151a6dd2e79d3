// Command mkprofiles writes the ICC profiles the colour tests' images are
// tagged with that no free package ships: Display P3 (lcms2 builds it from
// its primaries and sRGB's curve), the lcms2 sRGB the references convert
// to, a gamma 1.8 grey profile and a synthetic CMYK press profile (a lut16 table from a simple ink
// model, since Debian's free profile packages carry no CMYK profile).
//
//	go run ./converter/internal/lcms/testdata/mkprofiles -out testdata/colour
package main

import (
	"encoding/binary"
	"flag"
	"log"
	"math"
	"os"
	"path/filepath"

	"imgcells/converter/internal/icc/icctest"
	"imgcells/converter/internal/lcms"
)

func main() {
	out := flag.String("out", ".", "folder to write the profiles to")
	flag.Parse()
	d65 := [2]float64{0.3127, 0.3290}
	p3, err := lcms.RGBProfile(d65, [2]float64{0.680, 0.320}, [2]float64{0.265, 0.690}, [2]float64{0.150, 0.060}, 0)
	if err != nil {
		log.Fatal(err)
	}
	srgb, err := lcms.RGBProfile(d65, [2]float64{0.64, 0.33}, [2]float64{0.30, 0.60}, [2]float64{0.15, 0.06}, 0)
	if err != nil {
		log.Fatal(err)
	}
	profiles := map[string][]byte{"DisplayP3.icc": p3, "sRGB-lcms.icc": srgb, "CMYK-synthetic.icc": cmykProfile(), "Gray-gamma18.icc": greyProfile()}
	for name, b := range profiles {
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// cmykProfile is an output-class CMYK profile whose A2B0 is a 9-point lut16
// to Lab (D50): inks with dot gain and unwanted absorptions on a slightly
// warm paper.
func cmykProfile() []byte {
	const grid = 9
	t := icctest.Lut16(4, grid, 0)
	for range 4 {
		t = binary.BigEndian.AppendUint16(t, 0)
		t = binary.BigEndian.AppendUint16(t, 0xFFFF)
	}
	gain := func(v float64) float64 { return 1 - math.Pow(1-v, 1.3) }
	for ci := range grid {
		for mi := range grid {
			for yi := range grid {
				for ki := range grid {
					c, m, y, k := gain(float64(ci)/8), gain(float64(mi)/8), gain(float64(yi)/8), gain(float64(ki)/8)
					r := 0.95 * (1 - 0.92*c) * (1 - 0.10*m) * (1 - 0.02*y) * (1 - 0.94*k)
					g := 0.95 * (1 - 0.28*c) * (1 - 0.88*m) * (1 - 0.08*y) * (1 - 0.95*k)
					b := 0.92 * (1 - 0.12*c) * (1 - 0.22*m) * (1 - 0.90*y) * (1 - 0.95*k)
					L, A, B := lab(r, g, b)
					t = binary.BigEndian.AppendUint16(t, uint16(math.Round(min(max(L, 0), 100)*65280/100)))
					t = binary.BigEndian.AppendUint16(t, uint16(math.Round(min(max(A+128, 0), 255.99)*256)))
					t = binary.BigEndian.AppendUint16(t, uint16(math.Round(min(max(B+128, 0), 255.99)*256)))
				}
			}
		}
	}
	for range 3 {
		t = binary.BigEndian.AppendUint16(t, 0)
		t = binary.BigEndian.AppendUint16(t, 0xFFFF)
	}
	desc := []byte("desc\x00\x00\x00\x00")
	text := "imgcells synthetic CMYK\x00"
	desc = binary.BigEndian.AppendUint32(desc, uint32(len(text)))
	desc = append(desc, text...)
	desc = append(desc, make([]byte, 4+4+2+1+67)...) // no Unicode or ScriptCode text
	return icctest.Profile("prtr", "CMYK", "Lab ", icctest.Tag{Sig: "A2B0", Data: t}, icctest.Tag{Sig: "desc", Data: desc},
		icctest.Tag{Sig: "wtpt", Data: icctest.D50XYZ()})
}

// greyProfile is a display-class grey profile with a 1.8 gamma curve (as
// old Mac workflows tagged grey images).
func greyProfile() []byte {
	curve := []byte("curv\x00\x00\x00\x00\x00\x00\x00\x01\x01\xCD\x00\x00") // u8Fixed8 1.8
	return icctest.Profile("mntr", "GRAY", "XYZ ", icctest.Tag{Sig: "kTRC", Data: curve}, icctest.Tag{Sig: "wtpt", Data: icctest.D50XYZ()})
}

// lab converts linear sRGB (D50-adapted matrix) to CIELAB D50.
func lab(r, g, b float64) (float64, float64, float64) {
	x := 0.4360747*r + 0.3850649*g + 0.1430804*b
	y := 0.2225045*r + 0.7168786*g + 0.0606169*b
	z := 0.0139322*r + 0.0971045*g + 0.7141733*b
	f := func(v float64) float64 {
		if v > 216.0/24389 {
			return math.Cbrt(v)
		}
		return (24389.0/27*v + 16) / 116
	}
	fx, fy, fz := f(x/0.9642), f(y), f(z/0.8249)
	return 116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)
}
