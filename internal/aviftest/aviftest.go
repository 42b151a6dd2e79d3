// Package aviftest checks AVIF files with an independent decoder for
// tests: Debian's avifdec (package libavif-bin: libavif's strict parser,
// dav1d or libgav1 for the AV1 data). Without avifdec on PATH a test skips,
// or fails with IMGCELLS_REQUIRE_TOOLS=1.
package aviftest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"imgcells/converter/store/storetest"
)

// Info is what avifdec reports about a file.
type Info struct {
	Width, Height int
	Depth         int
	Format        string // YUV420, YUV400, ...
	Range         string // Full or Limited
	Primaries     int    // CICP colour primaries
	Transfer      int    // CICP transfer characteristics
	Matrix        int    // CICP matrix coefficients
	Alpha         bool
}

var field = regexp.MustCompile(`(?m)^ \* ([A-Za-z. ]+?)\s*: (.*)$`)

// Decode decodes data with avifdec's AV1 codec (dav1d, libgav1 or aom; ""
// is avifdec's default, dav1d) into an 8-bit image, and returns what avifdec
// said about the file. A file avifdec refuses fails the test.
func Decode(t testing.TB, data []byte, codec string) (image.Image, Info) {
	t.Helper()
	bin, err := exec.LookPath("avifdec")
	if err != nil {
		storetest.SkipOrFail(t, "avifdec not on PATH (apt-get install libavif-bin)")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.avif"), filepath.Join(dir, "out.png")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--depth", "8"}
	if codec != "" {
		args = append(args, "--codec", codec)
	}
	text, err := exec.Command(bin, append(args, in, out)...).CombinedOutput()
	if err != nil {
		t.Fatalf("avifdec refused the file: %v\n%s", err, text)
	}
	pngData, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("avifdec's PNG: %v", err)
	}
	return m, parseInfo(t, string(text))
}

func parseInfo(t testing.TB, text string) Info {
	t.Helper()
	var in Info
	num := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("avifdec output %q: %v", s, err)
		}
		return n
	}
	for _, m := range field.FindAllStringSubmatch(text, -1) {
		switch v := m[2]; m[1] {
		case "Resolution":
			if _, err := fmt.Sscanf(v, "%dx%d", &in.Width, &in.Height); err != nil {
				t.Fatalf("avifdec resolution %q: %v", v, err)
			}
		case "Bit Depth":
			in.Depth = num(v)
		case "Format":
			in.Format = v
		case "Range":
			in.Range = v
		case "Color Primaries":
			in.Primaries = num(v)
		case "Transfer Char.":
			in.Transfer = num(v)
		case "Matrix Coeffs.":
			in.Matrix = num(v)
		case "Alpha":
			in.Alpha = v != "Absent"
		}
	}
	if in.Width == 0 {
		t.Fatalf("no image details in avifdec's output:\n%s", text)
	}
	return in
}

// PSNR is the peak signal-to-noise ratio in dB of b's colour against a's
// (straight RGB, both the same size), over the pixels where a's alpha is at
// least minAlpha: colour under transparent pixels carries no meaning.
func PSNR(a, b image.Image, minAlpha uint8) float64 {
	r := a.Bounds()
	var se float64
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p, q := NRGBA(a, x, y), NRGBA(b, x, y)
			if p[3] < minAlpha {
				continue
			}
			for c := range 3 {
				d := float64(p[c]) - float64(q[c])
				se += d * d
			}
			n += 3
		}
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(n)))
}

// NRGBA returns pixel (x, y) of m as straight 8-bit RGBA.
func NRGBA(m image.Image, x, y int) [4]uint8 {
	switch m := m.(type) {
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		return [4]uint8{m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]}
	case *image.RGBA:
		i := m.PixOffset(x, y)
		return [4]uint8{m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3]}
	}
	r, g, b, a := m.At(x, y).RGBA()
	if a == 0 {
		return [4]uint8{}
	}
	return [4]uint8{uint8(r * 0xFF / a), uint8(g * 0xFF / a), uint8(b * 0xFF / a), uint8(a >> 8)}
}
