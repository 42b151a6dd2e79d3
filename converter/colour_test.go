package converter

import (
	"bytes"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"imgcells/converter/store/storetest"
)

// colourFile reads a tagged test image or profile from testdata/colour.
func colourFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "colour", name))
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return b
}

// magick runs ImageMagick's convert, which must have been built with
// Little CMS, and returns the image it writes.
func magick(t *testing.T, args ...string) image.Image {
	t.Helper()
	bin, err := exec.LookPath("convert")
	if err != nil {
		storetest.SkipOrFail(t, "ImageMagick's convert is not on PATH (apt-get install imagemagick)")
	}
	if v, err := exec.Command(bin, "-version").Output(); err != nil || !strings.Contains(string(v), "lcms") {
		t.Fatalf("ImageMagick without lcms (%v): %s", err, v)
	}
	out := filepath.Join(t.TempDir(), "ref.png")
	cmd := exec.Command(bin, append(args, "-strip", "PNG24:"+out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("convert %v: %v\n%s", args, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Images tagged with wide-gamut, CMYK and grey profiles come out as
// ImageMagick (with lcms, perceptual intent) converts them to sRGB: mean
// CIEDE2000 at most 1 and no pixel past 3. Read as sRGB instead (the
// converter before profiles were applied), each is far off, so the bound
// tells the two apart.
func TestProfilesMatchImageMagick(t *testing.T) {
	srgb := filepath.Join("..", "testdata", "colour", "sRGB-lcms.icc")
	for _, c := range []struct {
		file, note string
	}{
		{"adobergb.jpg", colourICC},
		{"displayp3.jpg", colourICC},
		{"displayp3.webp", colourICC},
		{"prophoto.png", colourICC},
		{"cmyk-profile.jpg", colourICC},
		{"gray-gamma18.jpg", colourICC},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "colour", c.file)
			res, err := Convert(colourFile(t, c.file), mustVariant(t, "format=png"), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if res.Colour != c.note {
				t.Errorf("colour note %q, want %q", res.Colour, c.note)
			}
			got := decodeOutput(t, res)
			ref := magick(t, path, "-intent", "Perceptual", "-profile", srgb)
			if got.Bounds() != ref.Bounds() {
				t.Fatalf("output %v, reference %v", got.Bounds(), ref.Bounds())
			}
			if c.file == "gray-gamma18.jpg" {
				requireGrey(t, got)
			}
			mean, worst := imageDeltaE(got, ref)
			t.Logf("%s: ΔE2000 mean %.3f, max %.3f", c.file, mean, worst)
			if mean > 1 || worst > 3 {
				t.Errorf("ΔE2000 mean %.3f, max %.3f: want ≤ 1 and ≤ 3", mean, worst)
			}
			// Without the profile: ImageMagick's own reading of the pixels as
			// sRGB (or, for CMYK, its naive conversion).
			naive := magick(t, path, "+profile", "*", "-colorspace", "sRGB")
			nmean, nworst := imageDeltaE(naive, ref)
			t.Logf("%s ignoring its profile: ΔE2000 mean %.3f, max %.3f", c.file, nmean, nworst)
			if nmean <= 1 && nworst <= 3 {
				t.Errorf("ignoring the profile is within the bound too (mean %.3f, max %.3f): the test cannot tell", nmean, nworst)
			}
		})
	}
}

// requireGrey fails unless every pixel has R = G = B.
func requireGrey(t *testing.T, m image.Image) {
	t.Helper()
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			if c.R != c.G || c.G != c.B {
				t.Fatalf("pixel (%d, %d) is %v, not grey", x, y, c)
			}
		}
	}
}
