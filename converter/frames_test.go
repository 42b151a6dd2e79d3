package converter

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"testing"

	"imgcells/contract"
	"imgcells/converter/internal/hostile"
)

func alphaAt(m image.Image, x, y int) (color.NRGBA, bool) {
	c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
	return c, c.A == 255
}

// A GIF's first frame is laid on its logical screen at its offset, the
// rest transparent, as browsers show it: not returned as the bare frame.
func TestGIFFrameOnItsScreen(t *testing.T) {
	src := generate(t, "gif-offset", hostile.GIF{Width: 100, Height: 100, Frame: image.Rect(40, 40, 60, 60), Colour: color.RGBA{200, 30, 30, 255}}.Bytes)
	res, err := Convert(src, mustVariant(t, "format=png"), defaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	out := decodeOutput(t, res)
	if res.Width != 100 || res.Height != 100 {
		t.Fatalf("%dx%d, want the 100x100 screen", res.Width, res.Height)
	}
	if c, opaque := alphaAt(out, 50, 50); !opaque || c.R != 200 || c.G != 30 {
		t.Errorf("inside the frame: %v, want the frame's red", c)
	}
	if c, _ := alphaAt(out, 10, 10); c.A != 0 {
		t.Errorf("outside the frame: %v, want transparent", c)
	}
	// One pixel on a large screen is scaled with its screen.
	dot := generate(t, "gif-dot", hostile.GIF{Width: 2000, Height: 1000, Frame: image.Rect(1000, 500, 1001, 501)}.Bytes)
	res, err = Convert(dot, mustVariant(t, "format=webp,quality=75,width=640"), defaultLimits)
	if err != nil || res.Width != 640 || res.Height != 320 {
		t.Fatalf("1x1 frame on a 2000x1000 screen: %v, want 640x320", err)
	}
}

// An animated WebP converts its first frame, on its canvas.
func TestAnimatedWebPFirstFrame(t *testing.T) {
	green := color.NRGBA{20, 160, 40, 255}
	src := generate(t, "webp-animated", hostile.AnimatedWebP{Width: 200, Height: 100, Frames: []hostile.WebPFrame{
		{Rect: image.Rect(50, 24, 150, 74), Colour: green},
		{Rect: image.Rect(0, 0, 200, 100), Colour: color.NRGBA{0, 0, 0, 255}},
	}}.Bytes)
	res, err := Convert(src, mustVariant(t, "format=png"), defaultLimits)
	if err != nil {
		t.Fatalf("animated WebP: %v", err)
	}
	out := decodeOutput(t, res)
	if res.Width != 200 || res.Height != 100 {
		t.Fatalf("%dx%d, want the 200x100 canvas", res.Width, res.Height)
	}
	if c, _ := alphaAt(out, 100, 50); c != green {
		t.Errorf("inside the first frame: %v, want %v", c, green)
	}
	if c, _ := alphaAt(out, 10, 10); c.A != 0 {
		t.Errorf("outside the first frame: %v, want transparent (not the second frame's black)", c)
	}
	// A lossy WebP request of it works too (alpha kept).
	if _, err := Convert(src, mustVariant(t, "format=webp,quality=75,width=100"), defaultLimits); err != nil {
		t.Error(err)
	}
}

// 16-bit and interlaced PNGs go through libpng's row API into one raster:
// the Go heap holds that raster, not several full-size 16-bit copies.
func TestSixteenBitInterlacedPNGHoldsOneRaster(t *testing.T) {
	const w, h = 1500, 1000
	src, err := hostile.PNG{Width: w, Height: h, Depth: 16, Colour: 4, Interlaced: true}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := Convert(src, mustVariant(t, "format=png,width=150"), defaultLimits)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// The RGBA raster is w*h*4; Go's own 16-bit decoder took 8 bytes a
	// pixel twice over, then the raster.
	if n := after.TotalAlloc - before.TotalAlloc; n > w*h*4*3/2 {
		t.Errorf("allocated %d MB converting a %d MB raster", n>>20, w*h*4>>20)
	}
	m, err := png.Decode(bytes.NewReader(res.Data))
	if err != nil {
		t.Fatal(err)
	}
	// Flat 0x7F7F grey at half alpha stays 127 at 128, not gamma-shifted.
	if c := color.NRGBAModel.Convert(m.At(75, 50)).(color.NRGBA); c.R < 126 || c.R > 128 || c.A < 127 || c.A > 129 {
		t.Errorf("pixel %v, want grey 127 at alpha 128", c)
	}
}

// WebP cannot be wider or taller than 16383 pixels: a larger output is
// scaled to fit (aspect ratio kept), never a 500.
func TestWebPOutputsFitTheFormat(t *testing.T) {
	for _, c := range []struct {
		w, h, wantW, wantH int
	}{{17000, 100, 16383, 96}, {1, 65000, 1, 16383}} {
		src, err := hostile.PNG{Width: c.w, Height: c.h, Depth: 8, Colour: 2}.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		res, err := Convert(src, mustVariant(t, "format=webp,quality=75"), defaultLimits)
		if err != nil {
			t.Fatalf("%dx%d as WebP: %v", c.w, c.h, err)
		}
		if res.Format != contract.FormatWebP || res.Width != c.wantW || res.Height != c.wantH {
			t.Errorf("%dx%d as WebP: %dx%d %s, want %dx%d webp", c.w, c.h, res.Width, res.Height, res.Format, c.wantW, c.wantH)
		}
		decodeOutput(t, res)
		// JPEG and PNG hold the full size.
		res, err = Convert(src, mustVariant(t, "format=png"), defaultLimits)
		if err != nil || res.Width != c.w || res.Height != c.h {
			t.Errorf("%dx%d as PNG: %v", c.w, c.h, err)
		}
	}
}
