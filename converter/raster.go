package converter

import (
	"image"
	"image/color"
)

// raster is the pipeline's pixel buffer: 8-bit samples, rows packed without
// padding, ch samples per pixel: 3 (RGB) or 4 (RGBA with straight, not
// premultiplied, alpha).
type raster struct {
	pix  []byte
	w, h int
	ch   int
}

func newRaster(w, h, ch int) *raster {
	return &raster{pix: make([]byte, w*h*ch), w: w, h: h, ch: ch}
}

// hasAlpha reports whether any pixel is not fully opaque.
func (r *raster) hasAlpha() bool {
	if r.ch != 4 {
		return false
	}
	for i := 3; i < len(r.pix); i += 4 {
		if r.pix[i] != 0xFF {
			return true
		}
	}
	return false
}

// dropAlpha returns an RGB copy of an opaque RGBA raster.
func (r *raster) dropAlpha() *raster {
	if r.ch == 3 {
		return r
	}
	out := newRaster(r.w, r.h, 3)
	for i, j := 0, 0; i < len(r.pix); i, j = i+4, j+3 {
		out.pix[j], out.pix[j+1], out.pix[j+2] = r.pix[i], r.pix[i+1], r.pix[i+2]
	}
	return out
}

// rasterFromImage copies a decoded image into a raster: RGB when the image
// model cannot carry transparency, RGBA otherwise.
func rasterFromImage(m image.Image) *raster {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	switch src := m.(type) {
	case *image.YCbCr:
		out := newRaster(w, h, 3)
		for y := range h {
			row := out.pix[y*w*3:]
			for x := range w {
				yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := src.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				row[x*3], row[x*3+1], row[x*3+2] = r, g, bl
			}
		}
		return out
	case *image.Gray:
		out := newRaster(w, h, 3)
		for y := range h {
			in := src.Pix[(y)*src.Stride : (y)*src.Stride+w]
			row := out.pix[y*w*3:]
			for x, v := range in {
				row[x*3], row[x*3+1], row[x*3+2] = v, v, v
			}
		}
		return out
	case *image.RGBA:
		// Go's PNG decoder returns opaque truecolour as RGBA: keep three
		// channels then, else undo the premultiplication.
		opaque := true
		for y := 0; y < h && opaque; y++ {
			row := src.Pix[y*src.Stride : y*src.Stride+w*4]
			for i := 3; i < len(row); i += 4 {
				if row[i] != 0xFF {
					opaque = false
					break
				}
			}
		}
		if opaque {
			out := newRaster(w, h, 3)
			for y := range h {
				in := src.Pix[y*src.Stride : y*src.Stride+w*4]
				row := out.pix[y*w*3 : (y+1)*w*3]
				for x, j := 0, 0; x+3 < len(in); x, j = x+4, j+3 {
					row[j], row[j+1], row[j+2] = in[x], in[x+1], in[x+2]
				}
			}
			return out
		}
		out := newRaster(w, h, 4)
		for y := range h {
			copy(out.pix[y*w*4:(y+1)*w*4], src.Pix[y*src.Stride:])
		}
		out.unpremultiply()
		return out
	case *image.NRGBA:
		out := newRaster(w, h, 4)
		for y := range h {
			copy(out.pix[y*w*4:(y+1)*w*4], src.Pix[y*src.Stride:])
		}
		return out
	case *image.Paletted:
		pal := make([][4]byte, 256)
		for i, c := range src.Palette {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			pal[i] = [4]byte{n.R, n.G, n.B, n.A}
		}
		out := newRaster(w, h, 4)
		for y := range h {
			in := src.Pix[y*src.Stride : y*src.Stride+w]
			row := out.pix[y*w*4:]
			for x, v := range in {
				copy(row[x*4:x*4+4], pal[v][:])
			}
		}
		return out
	}
	// Everything else (16-bit, CMYK, premultiplied RGBA) through the
	// generic, slower path: 16-bit samples are rounded to 8 bits.
	out := newRaster(w, h, 4)
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBA64Model.Convert(m.At(x, y)).(color.NRGBA64)
			out.pix[i] = uint8((uint32(c.R) + 128) / 257)
			out.pix[i+1] = uint8((uint32(c.G) + 128) / 257)
			out.pix[i+2] = uint8((uint32(c.B) + 128) / 257)
			out.pix[i+3] = uint8((uint32(c.A) + 128) / 257)
			i += 4
		}
	}
	return out
}

// premultiply scales each RGBA pixel's colour by its alpha, in place, so a
// resampling filter weighs colour by coverage (a transparent pixel's colour
// must not bleed into its neighbours).
func (r *raster) premultiply() {
	p := r.pix
	for i := 0; i+3 < len(p); i += 4 {
		a := uint32(p[i+3])
		if a == 255 {
			continue
		}
		p[i] = byte((uint32(p[i])*a + 127) / 255)
		p[i+1] = byte((uint32(p[i+1])*a + 127) / 255)
		p[i+2] = byte((uint32(p[i+2])*a + 127) / 255)
	}
}

// unpremultiply undoes premultiply, in place; fully transparent pixels are
// left as they are.
func (r *raster) unpremultiply() {
	p := r.pix
	for i := 0; i+3 < len(p); i += 4 {
		a := uint32(p[i+3])
		if a == 255 || a == 0 {
			continue
		}
		p[i] = byte(min((uint32(p[i])*255+a/2)/a, 255))
		p[i+1] = byte(min((uint32(p[i+1])*255+a/2)/a, 255))
		p[i+2] = byte(min((uint32(p[i+2])*255+a/2)/a, 255))
	}
}
