package converter

import (
	"bytes"
	"context"
	"errors"
	"image/gif"
	"math"

	"github.com/chai2010/webp"

	"imgcells/contract"
	"imgcells/converter/internal/jpegturbo"
	"imgcells/converter/internal/libpng"
)

// shrinkHeadroom is how much larger than the output the JPEG must stay after
// DCT-domain downscaling. libjpeg's scaled IDCT is a proper low-pass
// reduction, so 1 (the same rule as sharp's default fastShrinkOnLoad) keeps
// quality while decoding a quarter or a sixteenth of the samples.
const shrinkHeadroom = 1

func jpegDenom(p plan) int {
	for _, d := range []int{8, 4, 2} {
		if p.cropW >= d*shrinkHeadroom*p.outW && p.cropH >= d*shrinkHeadroom*p.outH {
			return d
		}
	}
	return 1
}

// decode turns the source into a raster: JPEG through libjpeg-turbo, PNG
// through libpng, WebP through libwebp, GIF through Go's decoder. For JPEG it decodes at a reduced
// size when the plan allows and returns the plan rescaled to match.
// Pixel buffers come from alloc.
func decode(kind sourceKind, src []byte, p plan, alloc func(n int) []byte) (*raster, plan, error) {
	switch kind {
	case kindJPEG:
		denom := jpegDenom(p)
		img, err := jpegturbo.Decode(context.Background(), src, denom, alloc)
		if err != nil {
			return nil, p, contract.Corrupt(err, "the JPEG image cannot be decoded")
		}
		r := &raster{pix: img.Pix, w: img.Width, h: img.Height, ch: 3}
		if img.Components == 4 {
			r = cmykToRGB(img.Pix, img.Width, img.Height)
		}
		return r, p.scaledTo(r.w, r.h, denom), nil
	case kindPNG:
		// Every depth, interlaced or not, through libpng's row API into one
		// 8-bit raster (Go's decoder held 8 bytes a pixel twice over for
		// 16-bit interlaced files); 16-bit samples are read as sRGB.
		img, err := libpng.Decode(context.Background(), src, int64(p.srcW)*int64(p.srcH), alloc)
		if err != nil {
			return nil, p, contract.Corrupt(err, "the PNG image cannot be decoded")
		}
		return &raster{pix: img.Pix, w: img.Width, h: img.Height, ch: img.Components}, p, nil
	case kindGIF:
		m, err := gif.Decode(bytes.NewReader(src))
		if err != nil {
			return nil, p, contract.Corrupt(err, "the GIF image cannot be decoded")
		}
		return rasterFromImage(m), p, nil
	case kindWebP:
		return decodeWebP(src, p)
	}
	return nil, p, contract.Unsupported("unknown source format")
}

func decodeWebP(src []byte, p plan) (*raster, plan, error) {
	_, _, alpha, err := webp.GetInfo(src)
	if err != nil {
		return nil, p, contract.Corrupt(err, "the WebP image cannot be decoded")
	}
	// libwebp's RGBA output is straight (not premultiplied) alpha, whatever
	// Go type the binding wraps it in.
	var r *raster
	if alpha {
		m, err := webp.DecodeRGBA(src)
		if err != nil {
			return nil, p, contract.Corrupt(err, "the WebP image cannot be decoded")
		}
		r = &raster{pix: m.Pix, w: m.Rect.Dx(), h: m.Rect.Dy(), ch: 4}
	} else {
		m, err := webp.DecodeRGB(src)
		if err != nil {
			return nil, p, contract.Corrupt(err, "the WebP image cannot be decoded")
		}
		r = &raster{pix: m.XPix, w: m.XRect.Dx(), h: m.XRect.Dy(), ch: 3}
	}
	if len(r.pix) != r.w*r.h*r.ch {
		return nil, p, contract.Corrupt(errors.New("unexpected stride"), "the WebP image cannot be decoded")
	}
	return r, p, nil
}

// scaledTo maps the plan's crop rectangle onto a source decoded at w×h
// (1/denom of the original), keeping the output size.
func (p plan) scaledTo(w, h, denom int) plan {
	if denom == 1 {
		return p
	}
	f := 1 / float64(denom)
	q := p
	q.srcW, q.srcH = w, h
	q.cropX = min(int(math.Round(float64(p.cropX)*f)), w-1)
	q.cropY = min(int(math.Round(float64(p.cropY)*f)), h-1)
	q.cropW = max(1, min(int(math.Round(float64(p.cropW)*f)), w-q.cropX))
	q.cropH = max(1, min(int(math.Round(float64(p.cropH)*f)), h-q.cropY))
	return q
}

// cmykToRGB converts inverted (Adobe) CMYK to RGB the way browsers do
// without a colour profile.
func cmykToRGB(pix []byte, w, h int) *raster {
	out := newRaster(w, h, 3)
	for i, j := 0, 0; i+3 < len(pix); i, j = i+4, j+3 {
		k := uint32(pix[i+3])
		out.pix[j] = byte((uint32(pix[i])*k + 127) / 255)
		out.pix[j+1] = byte((uint32(pix[i+1])*k + 127) / 255)
		out.pix[j+2] = byte((uint32(pix[i+2])*k + 127) / 255)
	}
	return out
}
