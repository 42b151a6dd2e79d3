package converter

import (
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// withoutPlanes runs fn with every conversion going through RGB.
func withoutPlanes(fn func()) {
	planesOff = true
	defer func() { planesOff = false }()
	fn()
}

// A JPEG to WebP goes through the planes and shows the picture the RGB path
// shows: same size, same colours, in the same places, for every chroma
// subsampling, odd sizes, cover crops and the orientations that flip the
// chroma's odd last column or row to the other side.
func TestPlanesGiveTheRGBPathsPicture(t *testing.T) {
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	corpus := filepath.Join("internal", "jpegturbo", "testdata", "progressive")
	sources := map[string][]byte{
		"4:2:0 baseline":    photo(t, "photo.jpg"),
		"4:2:0 portrait":    photo(t, "portrait.jpg"),
		"4:2:2 progressive": read(filepath.Join(corpus, "422-deep-approximation.jpg")),
		"4:4:4 progressive": read(filepath.Join(corpus, "444-spectral-restarts.jpg")),
	}
	upright := markedPhoto(t)
	for _, o := range []int{2, 3, 6, 8} {
		sources[fmt.Sprintf("orientation %d", o)] = storeWithOrientation(t, upright, o)
	}
	ops := []string{
		"format=webp,quality=80,width=240",
		"format=webp,quality=80,width=121",
		"format=webp,quality=80,width=77,height=91,fit=cover",
		"format=webp,quality=80,width=1000", // not enlarged: the planes at their own size
		"format=webp,quality=80,width=45",   // decoded at 1/8
	}
	for name, src := range sources {
		for _, op := range ops {
			v := mustVariant(t, op)
			before := planarRuns.Load()
			got, err := Convert(src, v, DefaultLimits())
			if err != nil {
				t.Fatalf("%s %s: %v", name, op, err)
			}
			if planarRuns.Load() != before+1 {
				t.Fatalf("%s %s: not converted through the planes", name, op)
			}
			var want *Result
			withoutPlanes(func() { want, err = Convert(src, v, DefaultLimits()) })
			if err != nil {
				t.Fatalf("%s %s through RGB: %v", name, op, err)
			}
			if got.Width != want.Width || got.Height != want.Height || got.Format != want.Format || got.Colour != want.Colour {
				t.Fatalf("%s %s: %dx%d %s %q, through RGB %dx%d %s %q", name, op, got.Width, got.Height, got.Format, got.Colour,
					want.Width, want.Height, want.Format, want.Colour)
			}
			a, b := decodeOutput(t, got), decodeOutput(t, want)
			if psnr := channelPSNR(a, b, a.Bounds()); slicesMin(psnr) < 30 {
				t.Errorf("%s %s: PSNR against the RGB path's output R %.1f G %.1f B %.1f dB, want 30 or more", name, op, psnr[0], psnr[1], psnr[2])
			}
			// The chroma of an odd last column or row comes from the
			// edge it is displayed at.
			w, h := got.Width, got.Height
			for _, edge := range []image.Rectangle{image.Rect(0, 0, 1, h), image.Rect(w-1, 0, w, h), image.Rect(0, 0, w, 1), image.Rect(0, h-1, w, h)} {
				if psnr := channelPSNR(a, b, edge); slicesMin(psnr) < 26 {
					t.Errorf("%s %s: along the edge %v, PSNR against the RGB path's output R %.1f G %.1f B %.1f dB, want 26 or more", name, op, edge, psnr[0], psnr[1], psnr[2])
				}
			}
		}
	}
}

func slicesMin(v [3]float64) float64 { return math.Min(v[0], math.Min(v[1], v[2])) }

// channelPSNR is the PSNR of a against b per RGB channel over r.
func channelPSNR(a, b image.Image, r image.Rectangle) [3]float64 {
	var se [3]float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			for c, d := range [3]float64{float64(ar>>8) - float64(br>>8), float64(ag>>8) - float64(bg>>8), float64(ab>>8) - float64(bb>>8)} {
				se[c] += d * d
			}
		}
	}
	var out [3]float64
	for c := range se {
		mse := se[c] / float64(r.Dx()*r.Dy())
		out[c] = 10 * math.Log10(255*255/math.Max(mse, 1e-9))
	}
	return out
}
