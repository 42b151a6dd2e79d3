package hostile

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// Class is one kind of input that probes the budget, with the variant that
// exercises it (the edge's key grammar).
type Class struct {
	Name    string
	About   string
	Variant string
	Make    func() ([]byte, error)
}

// Classes are every input class the converter's budget was measured on,
// each at its worst within a pixel limit (the stacks deploy 40 and 50
// megapixels) and the default 25 MB byte limit. The hand-written and
// arithmetic JPEGs are a few hundred KB at most; the photo-like JPEGs are
// encoded noise over a gradient (what makes encoders slowest) and take
// seconds to make.
func Classes(maxPixels int64) []Class {
	const webp640 = "format=webp,quality=75,width=640"
	side := int(math.Sqrt(float64(maxPixels)))
	pw := int(math.Sqrt(float64(maxPixels) * 1.5)) // a 3:2 photo
	ph := int(maxPixels / int64(pw))
	sq := fmt.Sprintf("%dx%d", side, side)
	photo := fmt.Sprintf("%dx%d", pw, ph)
	return []Class{
		{"jpeg-photo", "baseline 4:2:0 photo-like JPEG, " + photo, webp640, photoJPEG(pw, ph, Sequential)},
		{"jpeg-progressive-photo", "progressive 4:2:0 photo-like JPEG (libjpeg's standard 10 scans), " + photo, webp640, photoJPEG(pw, ph, StandardProgressive)},
		{"jpeg-photo-as-webp", "baseline photo-like JPEG, " + photo + ", asked at full size as WebP", "format=webp,quality=75", photoJPEG(pw, ph, Sequential)},
		{"jpeg-photo-as-png", "baseline photo-like JPEG, " + photo + ", asked at full size as PNG", "format=png", photoJPEG(pw, ph, Sequential)},
		{"jpeg-photo-as-jpeg", "baseline photo-like JPEG, " + photo + ", asked at full size as JPEG", "format=jpeg,quality=75", photoJPEG(pw, ph, Sequential)},
		{"jpeg-huffman-500-scans", "flat " + sq + " Huffman progressive 4:2:0, luma AC scan repeated to 500 scans", webp640,
			bytesOf(JPEG{Width: side, Height: side, Process: Progressive, ExtraScans: 496})},
		{"jpeg-arith-500-scans", "flat " + sq + " arithmetic progressive 4:2:0, luma AC scan repeated to 500 scans", webp640,
			ArithJPEG{Width: side, Height: side, ExtraScans: 496}.Bytes},
		{"jpeg-arith-444-dc-500-scans", "flat " + sq + " arithmetic progressive 4:4:4, DC scan repeated to 500 scans", webp640,
			ArithJPEG{Width: side, Height: side, Sampling444: true, ExtraScans: 496, RepeatDC: true}.Bytes},
		{"jpeg-arith-60-scans", "flat " + sq + " arithmetic progressive 4:2:0, 60 scans", webp640,
			ArithJPEG{Width: side, Height: side, ExtraScans: 56}.Bytes},
		{"jpeg-arith-501-scans", "flat 1024x1024 arithmetic progressive, 501 scans: over the absolute limit", webp640,
			ArithJPEG{Width: 1024, Height: 1024, ExtraScans: 497}.Bytes},
		{"jpeg-12-bit", "12-bit extended sequential JPEG (SOF1)", webp640, bytesOf(JPEG{Width: 640, Height: 480, Process: Extended12})},
		{"jpeg-lossless", "lossless JPEG (SOF3)", webp640, bytesOf(JPEG{Width: 640, Height: 480, Process: Lossless})},
		{"jpeg-hierarchical", "hierarchical JPEG (DHP)", webp640, bytesOf(JPEG{Width: 640, Height: 480, Process: Hierarchical})},
		{"png16-ga-interlaced", "flat " + sq + " 16-bit grey+alpha Adam7 PNG", webp640,
			PNG{Width: side, Height: side, Depth: 16, Colour: 4, Interlaced: true}.Bytes},
		{"png16-rgba-interlaced", "flat " + sq + " 16-bit RGBA Adam7 PNG", webp640,
			PNG{Width: side, Height: side, Depth: 16, Colour: 6, Interlaced: true}.Bytes},
		{"png-panorama-20000x2000", "flat 20000x2000 8-bit RGB PNG asked as WebP without a width", "format=webp,quality=75",
			PNG{Width: 20000, Height: 2000, Depth: 8, Colour: 2}.Bytes},
		{"png-strip-1x65000", "flat 1x65000 8-bit RGB PNG asked as WebP", "format=webp,quality=75",
			PNG{Width: 1, Height: 65000, Depth: 8, Colour: 2}.Bytes},
		{"png-bad-ihdr-crc", "8-bit RGB PNG whose IHDR CRC is wrong", webp640, badCRC("IHDR")},
		{"png-bad-idat-crc", "8-bit RGB PNG whose IDAT CRC is wrong", webp640, badCRC("IDAT")},
		{"png-bad-text-crc", "8-bit RGB PNG with a tEXt chunk whose CRC is wrong", webp640, badCRC("tEXt")},
		{"gif-frame-offset", "100x100 screen, one 20x20 frame at (40,40)", "format=png",
			GIF{Width: 100, Height: 100, Frame: image.Rect(40, 40, 60, 60), Colour: color.RGBA{200, 30, 30, 255}}.Bytes},
		{"gif-1px-on-screen", sq + " screen with one 1x1 frame", webp640,
			GIF{Width: side, Height: side, Frame: image.Rect(side/2, side/2, side/2+1, side/2+1), Colour: color.RGBA{0, 0, 255, 255}}.Bytes},
		{"webp-animated", "animated WebP: 200x100 canvas, first frame 100x50 at (50,24), second frame full", "format=png",
			AnimatedWebP{Width: 200, Height: 100, Frames: []WebPFrame{
				{Rect: image.Rect(50, 24, 150, 74), Colour: color.NRGBA{20, 160, 40, 255}},
				{Rect: image.Rect(0, 0, 200, 100), Colour: color.NRGBA{0, 0, 0, 255}},
			}}.Bytes},
	}
}

func bytesOf(j JPEG) func() ([]byte, error) {
	return func() ([]byte, error) { return j.Bytes(), nil }
}

func badCRC(chunk string) func() ([]byte, error) {
	return func() ([]byte, error) {
		p, err := PNG{Width: 64, Height: 48, Depth: 8, Colour: 2, Sample: func(x, y, c int) uint16 {
			return uint16((x*1000 + y*700 + c*9000) & 0xFFFF)
		}}.Bytes()
		if err != nil {
			return nil, err
		}
		return WithBadCRC(WithChunk(p, "tEXt", []byte("Comment\x00budget")), chunk)
	}
}

// photoJPEG is a w×h JPEG (quality 90, 4:2:0) of a gradient with noise:
// entropy like a detailed photograph's, which is what makes the decoders
// and encoders slowest per pixel.
func photoJPEG(w, h int, mode ScanMode) func() ([]byte, error) {
	return func() ([]byte, error) {
		return Encoded{Width: w, Height: h, Quality: 90, Mode: mode, Pix: Noise(w, h)}.Bytes()
	}
}

// Noise is w×h packed RGB: a gradient with noise, like a detailed
// photograph (the same every time).
func Noise(w, h int) []byte {
	rgb := make([]byte, w*h*3)
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			i := (y*w + x) * 3
			base := [3]int{x * 255 / w, y * 255 / h, (x + y) * 255 / (w + h)}
			for c := range 3 {
				rgb[i+c] = byte(max(0, min(255, base[c]+r.IntN(49)-24)))
			}
		}
	}
	return rgb
}
