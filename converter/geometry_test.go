package converter

import (
	"fmt"
	"math"
	"strconv"
	"testing"
)

func TestConvertGeometry(t *testing.T) {
	land, port := photo(t, "photo.jpg"), photo(t, "portrait.jpg") // 480×270, 240×360
	cases := []struct {
		src          []byte
		ops          string
		wantW, wantH int
	}{
		{land, "format=webp,quality=75", 480, 270},
		{land, "format=webp,quality=75,width=100", 100, 56},
		{land, "format=webp,quality=75,height=100", 178, 100},
		{land, "format=webp,quality=75,width=100,height=100", 100, 56},
		{land, "format=webp,quality=75,width=1000", 480, 270},                     // inside never enlarges
		{land, "format=webp,quality=75,width=1000,height=1000", 480, 270},         // nor with both sides
		{land, "format=webp,quality=75,width=100,height=100,fit=cover", 100, 100}, // exact
		{land, "format=webp,quality=75,width=300,height=50,fit=cover", 300, 50},
		{land, "format=webp,quality=75,width=1000,height=100,fit=cover", 480, 100}, // cover never enlarges
		{land, "format=webp,quality=75,width=1,height=1,fit=cover", 1, 1},
		{land, "format=webp,quality=75,width=1", 1, 1},
		{port, "format=jpeg,quality=80,width=120", 120, 180},
		{port, "format=jpeg,quality=80,height=120", 80, 120},
		{port, "format=jpeg,quality=80,width=200,height=200", 133, 200},
		{port, "format=jpeg,quality=80,width=200,height=100,fit=cover", 200, 100},
	}
	for _, c := range cases {
		t.Run(c.ops, func(t *testing.T) {
			res, err := Convert(c.src, mustVariant(t, c.ops), DefaultLimits())
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			if res.Width != c.wantW || res.Height != c.wantH {
				t.Fatalf("size %dx%d, want %dx%d", res.Width, res.Height, c.wantW, c.wantH)
			}
			decodeOutput(t, res)
		})
	}
}

// Cover crops the centre: the output looks like the middle of the source.
func TestConvertCoverCropsCentre(t *testing.T) {
	ref := decodeOutput(t, mustConvert(t, "photo.png", "format=png")) // 480×270
	out := decodeOutput(t, mustConvert(t, "photo.png", "format=png,width=135,height=135,fit=cover"))
	// The centre 270×270 of the source, halved.
	want := meanRGB(ref, ref.Bounds().Intersect(scaledRect(ref, 0.21875, 0, 0.78125, 1)))
	got := meanRGB(out, out.Bounds())
	for i := range got {
		if math.Abs(got[i]-want[i]) > 2 {
			t.Fatalf("cover mean %v, centre of source %v", got, want)
		}
	}
}

// Shrink-on-load and the resizer keep the picture: a JPEG scaled down by
// DCT and Lanczos looks like the PNG of the same photo scaled the same way.
func TestConvertShrinkMatchesFullDecode(t *testing.T) {
	for _, w := range []int{30, 60, 120, 240} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			a := decodeOutput(t, mustConvert(t, "photo.jpg", fmt.Sprintf("format=png,width=%d", w)))
			b := decodeOutput(t, mustConvert(t, "photo.png", fmt.Sprintf("format=png,width=%d", w)))
			ga, gb := meanRGB(a, a.Bounds()), meanRGB(b, b.Bounds())
			for i := range ga {
				if math.Abs(ga[i]-gb[i]) > 2 {
					t.Fatalf("JPEG path mean %v, PNG path mean %v", ga, gb)
				}
			}
		})
	}
}

func mustConvert(t *testing.T, file, ops string) *Result {
	t.Helper()
	res, err := Convert(photo(t, file), mustVariant(t, ops), DefaultLimits())
	if err != nil {
		t.Fatalf("Convert(%s, %s): %v", file, ops, err)
	}
	return res
}
