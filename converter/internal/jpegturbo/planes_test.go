package jpegturbo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// planeFiles are YCbCr files of every subsampling the corpus has (4:2:0,
// 4:2:2, 4:4:4; baseline and progressive, with restarts).
func planeFiles(t *testing.T) []string {
	files := progressiveCorpus(t)
	return append(files, "../../../testdata/photos/photo.jpg", "../../../testdata/photos/portrait.jpg")
}

// The planes are the picture the RGB decode shows: its luma, sample for
// sample, and its chroma averaged over each chroma sample's footprint. A
// plane read with the wrong stride, row order or offset misses by tens.
func TestDecodePlanesHoldTheRGBDecodesPicture(t *testing.T) {
	for _, f := range planeFiles(t) {
		src := readFile(t, f)
		if strings.Contains(f, "cmyk") || strings.Contains(f, "gray") {
			continue
		}
		for _, denom := range []int{1, 2, 4, 8} {
			name := filepath.Base(f)
			rgb, err := Decode(context.Background(), src, denom, nil)
			if err != nil {
				t.Fatalf("%s 1/%d: %v", name, denom, err)
			}
			img, err := DecodePlanes(context.Background(), Arriving{Data: src}, denom, image.Point{}, nil)
			if err != nil {
				t.Fatalf("%s 1/%d, planes: %v", name, denom, err)
			}
			p := img.Planes
			if p == nil || img.Pix != nil {
				t.Fatalf("%s 1/%d: no planes", name, denom)
			}
			if img.Width != rgb.Width || img.Height != rgb.Height || p.W[0] != rgb.Width || p.H[0] != rgb.Height {
				t.Fatalf("%s 1/%d: %dx%d, luma %dx%d; the RGB decode is %dx%d", name, denom, img.Width, img.Height, p.W[0], p.H[0], rgb.Width, rgb.Height)
			}
			if msg := planesMatchRGB(p, rgb); msg != "" {
				t.Errorf("%s 1/%d: %s", name, denom, msg)
			}
		}
	}
}

// planesMatchRGB compares the planes with the JFIF YCbCr of the RGB decode.
func planesMatchRGB(p *Planes, rgb *Image) string {
	w, h := rgb.Width, rgb.Height
	ycc := func(x, y int) [3]float64 {
		s := rgb.Pix[(y*w+x)*3:]
		r, g, b := float64(s[0]), float64(s[1]), float64(s[2])
		return [3]float64{0.299*r + 0.587*g + 0.114*b,
			128 - 0.168736*r - 0.331264*g + 0.5*b,
			128 + 0.5*r - 0.418688*g - 0.081312*b}
	}
	for c := range 3 {
		// Each sample of plane c covers fx×fy pixels (fewer at the edges).
		fx := (w + p.W[c] - 1) / p.W[c]
		fy := (h + p.H[c] - 1) / p.H[c]
		if p.W[c] != (w+fx-1)/fx || p.H[c] != (h+fy-1)/fy || p.Stride[c] < p.W[c] {
			return "plane sizes do not divide the image"
		}
		var sum, worst float64
		for y := range p.H[c] {
			for x := range p.W[c] {
				var want float64
				n := 0
				for yy := y * fy; yy < min((y+1)*fy, h); yy++ {
					for xx := x * fx; xx < min((x+1)*fx, w); xx++ {
						want += ycc(xx, yy)[c]
						n++
					}
				}
				d := math.Abs(float64(p.Pix[c][y*p.Stride[c]+x]) - want/float64(n))
				sum += d
				worst = max(worst, d)
			}
		}
		mean := sum / float64(p.W[c]*p.H[c])
		// Luma differs by rounding and clipping only; chroma also by
		// libjpeg's upsampling filter, which blends in the neighbours.
		if limit := []float64{0.75, 2.5, 2.5}[c]; mean > limit {
			return fmt.Sprintf("plane %c: mean difference %.2f (worst %.0f), over %.2f", "YBR"[c], mean, worst, limit)
		}
	}
	return ""
}

// Files that are not YCbCr come back as RGB (or CMYK) pixels, as Decode
// gives them.
func TestDecodePlanesLeaveOtherFilesToDecode(t *testing.T) {
	for _, f := range []string{"gray.jpg", "cmyk.jpg"} {
		src := testPhoto(t, f)
		want, err := Decode(context.Background(), src, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodePlanes(context.Background(), Arriving{Data: src}, 2, image.Point{}, nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got.Planes != nil || !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("%s: planes %v, or pixels not Decode's", f, got.Planes != nil)
		}
	}
}

// A file read while it arrives gives the same planes.
func TestDecodePlanesWhileArriving(t *testing.T) {
	for _, f := range planeFiles(t) {
		src := readFile(t, f)
		if strings.Contains(f, "cmyk") || strings.Contains(f, "gray") {
			continue
		}
		whole, err := DecodePlanes(context.Background(), Arriving{Data: src}, 2, image.Point{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodePlanes(context.Background(), feed(src, 997, len(src), Arrived), 2, image.Point{}, nil)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		for c := range 3 {
			if got.Planes == nil || !bytes.Equal(got.Planes.Pix[c], whole.Planes.Pix[c]) {
				t.Errorf("%s: plane %d differs when arriving", filepath.Base(f), c)
			}
		}
	}
}

// Asked for fewer chroma samples, the chroma planes come at the smallest DCT
// scale that keeps them (never larger than libjpeg's own choice) and still
// hold the picture; the luma plane does not change.
func TestDecodePlanesShrinkChromaToWhatIsNeeded(t *testing.T) {
	corpus := "testdata/progressive/"
	for _, c := range []struct {
		file  string
		denom int
		need  image.Point
		wantW int // the chroma planes' width
		wantH int
	}{
		{corpus + "444-spectral-restarts.jpg", 1, image.Pt(120, 68), 120, 68},  // 1/4 of 480×270
		{corpus + "444-spectral-restarts.jpg", 2, image.Pt(121, 68), 240, 135}, // 121 needs 1/2
		{corpus + "420-simple.jpg", 2, image.Pt(60, 34), 60, 34},               // a quarter of its 240×135
		{corpus + "420-simple.jpg", 2, image.Pt(1000, 1000), 240, 135},         // more than there is: libjpeg's choice
		{corpus + "422-deep-approximation.jpg", 2, image.Pt(60, 68), 60, 68},
		{corpus + "422-deep-approximation.jpg", 2, image.Pt(60, 135), 120, 135}, // rows: libjpeg's choice
		{"../../../testdata/photos/photo.jpg", 1, image.Pt(120, 68), 120, 68},   // baseline 4:2:0
	} {
		src := readFile(t, c.file)
		whole, err := DecodePlanes(context.Background(), Arriving{Data: src}, c.denom, image.Point{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodePlanes(context.Background(), Arriving{Data: src}, c.denom, c.need, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		p := img.Planes
		name := fmt.Sprintf("%s 1/%d, %v", filepath.Base(c.file), c.denom, c.need)
		if p.W[1] != c.wantW || p.H[1] != c.wantH || p.W[2] != c.wantW || p.H[2] != c.wantH {
			t.Errorf("%s: chroma %dx%d and %dx%d, want %dx%d", name, p.W[1], p.H[1], p.W[2], p.H[2], c.wantW, c.wantH)
		}
		if !bytes.Equal(p.Pix[0], whole.Planes.Pix[0]) {
			t.Errorf("%s: the luma plane changed", name)
		}
		rgb, err := Decode(context.Background(), src, c.denom, nil)
		if err != nil {
			t.Fatal(err)
		}
		if msg := planesMatchRGB(p, rgb); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
}

// Files the band decoder declines (decoded again the usual way, one of them
// block-smoothed) give shrunken chroma planes that hold the picture too.
func TestDecodePlanesOfDeclinedFiles(t *testing.T) {
	for name, src := range declinedFiles(t) {
		for _, denom := range []int{1, 2} {
			rgb, err := Decode(context.Background(), src, denom, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			need := image.Pt((rgb.Width*denom+7)/8, (rgb.Height*denom+7)/8) // chroma at 1/8 of the image
			img, err := DecodePlanes(context.Background(), Arriving{Data: src}, denom, need, nil)
			if err != nil {
				t.Fatalf("%s 1/%d: %v", name, denom, err)
			}
			p := img.Planes
			if p == nil || p.W[1] >= p.W[0] {
				t.Fatalf("%s 1/%d: no planes, or chroma not shrunk", name, denom)
			}
			if msg := planesMatchRGB(p, rgb); msg != "" {
				t.Errorf("%s 1/%d: %s", name, denom, msg)
			}
		}
	}
}
