package converter

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/gif"
	"math"
	"sync/atomic"

	"github.com/chai2010/webp"

	"imgcells/contract"
	"imgcells/converter/arrive"
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

// decodes counts calls to decode: the tests' proof that a refusal came
// from the headers alone.
var decodes atomic.Int64

// decode turns the source into a raster: JPEG through libjpeg-turbo, PNG
// through libpng (libdeflate for plain 8-bit photos), WebP through libwebp,
// GIF through Go's decoder. A GIF's or animated WebP's first frame is laid
// on its canvas, as browsers show it. For JPEG it decodes at a reduced size
// when the plan allows and returns the plan rescaled to match. Pixel
// buffers come from alloc; the C decoders stop at ctx's deadline. CMYK is
// converted to sRGB here, through cs's profile when it has one. With planes
// not nil, a YCbCr JPEG is decoded to its own planes instead (planes.go):
// they are set there and the raster is nil.
func decode(ctx context.Context, s *source, src []byte, arr *arrive.Buffer, p plan, alloc func(n int) []byte, cs *colourSource, planes **jpegturbo.Planes) (*raster, plan, error) {
	decodes.Add(1)
	switch s.kind {
	case kindJPEG:
		denom := jpegDenom(p)
		var img *jpegturbo.Image
		var err error
		a := jpegturbo.Arriving{Data: src}
		if arr != nil {
			// Decoding while the file arrives: libjpeg waits for bytes it
			// needs that are still on the network.
			avail, state := arr.Counters()
			a = jpegturbo.Arriving{Data: arr.Data(), Avail: avail, State: state}
		}
		switch {
		case planes != nil:
			img, err = jpegturbo.DecodePlanes(ctx, a, denom, chromaNeeded(p), alloc)
		case arr != nil:
			img, err = jpegturbo.DecodeArriving(ctx, a, denom, alloc)
		default:
			img, err = jpegturbo.Decode(ctx, src, denom, alloc)
		}
		if errors.Is(err, jpegturbo.ErrArrival) {
			return nil, p, err // the network's failure, not the image's
		}
		if err != nil {
			return nil, p, contract.Corrupt(err, "the JPEG image cannot be decoded")
		}
		if img.Planes != nil {
			*planes = img.Planes
			return nil, p.scaledTo(img.Width, img.Height, denom), nil
		}
		r := &raster{pix: img.Pix, w: img.Width, h: img.Height, ch: 3}
		if img.Components == 4 {
			r = cs.cmykToSRGB(img.Pix, img.Width, img.Height, alloc)
		}
		return r, p.scaledTo(r.w, r.h, denom), nil
	case kindPNG:
		img, err := libpng.Decode(ctx, src, int64(p.srcW)*int64(p.srcH), alloc)
		if err != nil {
			return nil, p, contract.Corrupt(err, "the PNG image cannot be decoded")
		}
		return &raster{pix: img.Pix, w: img.Width, h: img.Height, ch: img.Components}, p, nil
	case kindGIF:
		m, err := gif.Decode(ctxReader{ctx, bytes.NewReader(src)})
		if err != nil {
			return nil, p, contract.Corrupt(err, "the GIF image cannot be decoded")
		}
		return onCanvas(rasterFromImage(m), m.Bounds().Min, s.w, s.h, alloc), p, nil
	case kindWebP:
		if s.animated {
			return decodeWebPFrame(s, src, p, alloc)
		}
		return decodeWebP(src, p)
	}
	return nil, p, contract.Unsupported("unknown source format")
}

// decodeWebPFrame decodes an animation's first frame on its canvas.
func decodeWebPFrame(s *source, src []byte, p plan, alloc func(n int) []byte) (*raster, plan, error) {
	f, err := firstWebPFrame(src)
	if err != nil {
		return nil, p, err
	}
	m, err := webp.DecodeRGBA(f.standalone())
	if err != nil {
		return nil, p, contract.Corrupt(err, "the WebP animation's first frame cannot be decoded")
	}
	r := &raster{pix: m.Pix, w: m.Rect.Dx(), h: m.Rect.Dy(), ch: 4}
	if r.w != f.rect.Dx() || r.h != f.rect.Dy() || len(r.pix) != r.w*r.h*4 {
		return nil, p, contract.Corrupt(nil, "the WebP animation's first frame does not match its header")
	}
	return onCanvas(r, f.rect.Min, s.w, s.h, alloc), p, nil
}

// onCanvas lays a frame at its offset on a transparent w×h canvas, or
// returns it as it is when it covers the canvas.
func onCanvas(frame *raster, at image.Point, w, h int, alloc func(n int) []byte) *raster {
	if at == (image.Point{}) && frame.w == w && frame.h == h {
		return frame
	}
	out := &raster{pix: alloc(w * h * 4), w: w, h: h, ch: 4}
	clear(out.pix)
	for y := range frame.h {
		row := frame.pix[y*frame.w*frame.ch : (y+1)*frame.w*frame.ch]
		dst := out.pix[((at.Y+y)*w+at.X)*4:]
		if frame.ch == 4 {
			copy(dst, row)
			continue
		}
		for x := range frame.w {
			dst[x*4], dst[x*4+1], dst[x*4+2], dst[x*4+3] = row[x*3], row[x*3+1], row[x*3+2], 0xFF
		}
	}
	return out
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

// chromaNeeded is how many chroma samples across the whole source the
// planes need (planes.go): the output's chroma, half its size rounded up,
// spread over the crop rectangle.
func chromaNeeded(p plan) image.Point {
	cw, ch := (p.outW+1)/2, (p.outH+1)/2
	return image.Pt((cw*p.srcW+p.cropW-1)/p.cropW, (ch*p.srcH+p.cropH-1)/p.cropH)
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
