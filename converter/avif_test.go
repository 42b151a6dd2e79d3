package converter

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/converter/internal/hostile"
)

// AVIF outputs of odd and degenerate sizes (chroma planes of (w+1)/2 ×
// (h+1)/2) decode at the size asked, opaque and transparent alike.
func TestConvertAVIFOddSizes(t *testing.T) {
	for _, file := range []string{"photo.jpg", "alpha.png"} {
		for _, s := range [][2]int{{1, 1}, {1, 9}, {9, 1}, {7, 5}, {33, 17}, {121, 67}} {
			ops := fmt.Sprintf("format=avif,quality=60,width=%d,height=%d,fit=cover", s[0], s[1])
			t.Run(file+"/"+ops, func(t *testing.T) {
				res, err := Convert(photo(t, file), mustVariant(t, ops), DefaultLimits())
				if err != nil {
					t.Fatalf("Convert: %v", err)
				}
				if res.Format != contract.FormatAVIF || res.Width != s[0] || res.Height != s[1] {
					t.Fatalf("%s %dx%d, want avif %dx%d", res.Format, res.Width, res.Height, s[0], s[1])
				}
				decodeOutput(t, res)
			})
		}
	}
}

// An animation asked as AVIF stays animated, as a WebP under the avif key:
// libaom's still-image mode makes no sequences, and every browser that
// accepts AVIF accepts WebP.
func TestAnimationAskedAsAVIFIsAnimatedWebP(t *testing.T) {
	src, g := testGIF(t)
	v := mustVariant(t, "format=avif,quality=75")
	p, err := Predict(src, v, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(src, v, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != contract.FormatWebP || res.Format != contract.FormatWebP || res.Frames != len(g.Image) {
		t.Fatalf("predicted %s, made %s of %d frames; want WebP of %d", p.Format, res.Format, res.Frames, len(g.Image))
	}
	if a := decodeAnimation(t, res.Data); len(a.frames) != len(g.Image) {
		t.Errorf("the WebP holds %d frames, want %d", len(a.frames), len(g.Image))
	}
}

// AVIF is made up to maxAVIFPixels on a full core, and up to the
// function's share of it below: a larger output of the same key is a WebP
// of the size asked, never a smaller AVIF.
func TestLargeAVIFOutputsAreWebP(t *testing.T) {
	src := hostile.JPEG{Width: 6000, Height: 4000}.Bytes()
	full := Limits{Budget: contract.Budget{MemoryMB: 2048, Timeout: contract.ConverterTimeout}}
	for _, c := range []struct {
		lim   Limits
		width int
		want  contract.Format
	}{
		{full, 1280, contract.FormatAVIF},
		{full, 2048, contract.FormatAVIF}, // 2048x1365, 2.8 MP
		{full, 2560, contract.FormatWebP}, // 2560x1707, 4.4 MP
		{full, 3840, contract.FormatWebP}, // 3840x2560, 9.8 MP
		{devLimits, 1280, contract.FormatAVIF},
		{devLimits, 2048, contract.FormatWebP}, // 2.8 MP at 0.58 of a core
	} {
		ops := fmt.Sprintf("format=avif,quality=75,width=%d", c.width)
		p, err := Predict(src, mustVariant(t, ops), c.lim)
		if err != nil {
			t.Fatalf("%s: %v", ops, err)
		}
		if p.Format != c.want || p.Width != c.width {
			t.Errorf("%s at %d MB: %s %dx%d, want %s %d wide", ops, c.lim.Budget.MemoryMB, p.Format, p.Width, p.Height, c.want, c.width)
		}
	}
}

// The speed an AVIF is encoded at depends on its size alone, never on the
// function's memory (and so its share of a core): a variant key holds the
// same bytes whichever stack or region made it.
func TestAVIFBytesDoNotDependOnMemory(t *testing.T) {
	src := photo(t, "photo.jpg")
	v := mustVariant(t, "format=avif,quality=60,width=320")
	var first []byte
	for _, mb := range []int{1024, 2048, 3008} {
		lim := DefaultLimits()
		lim.Budget.MemoryMB = mb
		res, err := Convert(src, v, lim)
		if err != nil {
			t.Fatalf("%d MB: %v", mb, err)
		}
		if res.Format != contract.FormatAVIF {
			t.Fatalf("%d MB: %s, want avif", mb, res.Format)
		}
		if first == nil {
			first = res.Data
		} else if !bytes.Equal(res.Data, first) {
			t.Errorf("%d MB: %d bytes differ from 1024 MB's %d", mb, len(res.Data), len(first))
		}
	}
}

// Outputs up to avifCarefulPixels are encoded at the slower, smaller speed
// and the model prices them at its rate; larger ones at the faster speed.
func TestAVIFSpeedBySize(t *testing.T) {
	for _, c := range []struct {
		px    int64
		speed int
	}{{1, 6}, {1280 * 853, 6}, {avifCarefulPixels, 6}, {avifCarefulPixels + 1, 8}, {maxAVIFPixels, 8}} {
		if got := avifSpeed(c.px); got != c.speed {
			t.Errorf("avifSpeed(%d) = %d, want %d", c.px, got, c.speed)
		}
		ns, _, _ := encodeCost(contract.FormatAVIF, c.px, 3)
		rate := int64(nsEncodeAVIF)
		if c.speed == avifCarefulSpeed {
			rate = nsEncodeAVIFCareful
		}
		if ns != c.px*rate {
			t.Errorf("%d pixels: the model prices %d ns, want %d at speed %d's rate", c.px, ns, c.px*rate, c.speed)
		}
	}
	// A 3:2 photograph asked 1600 wide (1600×1067) is still made at speed 6.
	p, err := Predict(hostile.JPEG{Width: 6000, Height: 4000}.Bytes(), mustVariant(t, "format=avif,quality=75,width=1600"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(1600 * 1067 * nsEncodeAVIFCareful); p.Format != contract.FormatAVIF || p.Width != 1600 || p.Height != 1067 || p.Encode != want {
		t.Errorf("1600 wide: %s %dx%d, encode priced %v; want avif 1600x1067 at speed 6's %v", p.Format, p.Width, p.Height, p.Encode, want)
	}
}
