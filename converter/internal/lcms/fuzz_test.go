package lcms

import (
	"os"
	"path/filepath"
	"testing"

	"imgcells/converter/internal/icc"
)

// FuzzProfile runs the converter's profile path on arbitrary bytes: the
// structural check, then (for what passes) lcms reading the profile and
// building and applying its transform. Nothing may crash or hang; a
// failure is an error value.
func FuzzProfile(f *testing.F) {
	for _, name := range []string{"DisplayP3.icc", "Gray-gamma18.icc", "CMYK-synthetic.icc"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "colour", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(rawProfile("scnr", "RGB ", "Lab ", map[string][]byte{"A2B0": lut16(3, 3, 27*3+12), "wtpt": d50XYZ()}))
	f.Fuzz(func(_ *testing.T, b []byte) {
		p, err := icc.Check(b)
		if err != nil {
			return
		}
		kind := map[icc.Space]Kind{icc.RGB: RGBA, icc.Gray: Gray, icc.CMYK: CMYK}[p.Space]
		tr, err := Lookup(p.Data, kind)
		if err != nil {
			return
		}
		defer tr.Release()
		px := []byte{0, 0, 0, 255, 128, 64, 32, 200, 255, 255, 255, 0}
		switch kind {
		case Gray:
			tr.Grey(px, 4)
		case CMYK:
			out := make([]byte, 9)
			tr.Apply(px, out, 3)
		default:
			tr.Apply(px, px, 3)
		}
	})
}
