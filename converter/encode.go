package converter

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"

	"github.com/chai2010/webp"

	"imgcells/contract"
	"imgcells/converter/internal/avif"
	"imgcells/converter/internal/jpegturbo"
)

// avifThreads is how many threads libaom encodes an AVIF with: one. The
// cost model predicts every stage on one core (the Lambda's share of a core
// below 1769 MB is less than one, where more threads only add overhead),
// and a Lambda instance serves one request at a time, so a single thread
// keeps the prediction honest and the encode as cheap as it can be.
const avifThreads = 1

// encode writes the raster in the given format. The caller has already
// turned a JPEG request for a transparent image into PNG; a transparent
// image asked as AVIF stays AVIF, its alpha an auxiliary image. No metadata
// is written: EXIF, ICC and XMP of the source never reach the output (AVIF
// declares sRGB in its colr box). The JPEG and PNG encoders stop once ctx
// is done; libwebp's and libaom's are bounded by the output size the budget
// allowed.
func encode(ctx context.Context, r *raster, f contract.Format, quality int) ([]byte, error) {
	switch f {
	case contract.FormatAVIF:
		return avif.Encode(ctx, r.pix, r.w, r.h, r.ch, avif.Options{Quality: quality, Speed: avifSpeed(int64(r.w) * int64(r.h)), Threads: avifThreads})
	case contract.FormatWebP:
		var out []byte
		var err error
		if r.ch == 3 {
			out, err = webp.EncodeRGB(&webp.RGBImage{XPix: r.pix, XStride: r.w * 3, XRect: image.Rect(0, 0, r.w, r.h)}, float32(quality))
		} else {
			// Straight RGBA, as libwebp expects, in the binding's RGBA type.
			out, err = webp.EncodeRGBA(&image.RGBA{Pix: r.pix, Stride: r.w * 4, Rect: image.Rect(0, 0, r.w, r.h)}, float32(quality))
		}
		if err != nil {
			return nil, fmt.Errorf("encoding %dx%d WebP: %w", r.w, r.h, err)
		}
		return out, nil
	case contract.FormatJPEG:
		out, err := jpegturbo.EncodeRGB(ctx, r.dropAlpha().pix, r.w, r.h, quality)
		if err != nil {
			return nil, fmt.Errorf("encoding %dx%d JPEG: %w", r.w, r.h, err)
		}
		return out, nil
	case contract.FormatPNG:
		var m image.Image
		if r.ch == 4 {
			m = &image.NRGBA{Pix: r.pix, Stride: r.w * 4, Rect: image.Rect(0, 0, r.w, r.h)}
		} else {
			rgba := image.NewRGBA(image.Rect(0, 0, r.w, r.h))
			for i, j := 0, 0; i < len(r.pix); i, j = i+3, j+4 {
				rgba.Pix[j], rgba.Pix[j+1], rgba.Pix[j+2], rgba.Pix[j+3] = r.pix[i], r.pix[i+1], r.pix[i+2], 0xFF
			}
			m = rgba
		}
		var b bytes.Buffer
		if err := png.Encode(ctxWriter{ctx, &b}, m); err != nil {
			return nil, fmt.Errorf("encoding %dx%d PNG: %w", r.w, r.h, err)
		}
		return b.Bytes(), nil
	}
	return nil, fmt.Errorf("encoding: unknown format %q", f)
}
