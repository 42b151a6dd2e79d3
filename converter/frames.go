package converter

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"io"

	"imgcells/contract"
	"imgcells/converter/internal/webpanim"
)

// frames yields an animation's frames as browsers show them: each one the
// whole canvas, straight-alpha RGBA, the frames before it composited
// underneath as their disposal says.
type frames interface {
	// next writes the next frame into dst (the canvas, w×h×4 bytes) and
	// returns the time it stops showing, in ms from the start.
	next(dst []byte) (endMs int, err error)
	close()
}

// minFrameMs is the shortest frame browsers show: Chromium and Firefox
// show a GIF frame of 10 ms or less for 100 ms, and libwebp's gif2webp
// writes it so. Kept so, the WebP plays as the GIF did.
const (
	minFrameMs     = 10
	shortFrameAsMs = 100
)

// gifFrames composites a decoded GIF on its logical screen (GIF89a,
// section 23: disposal methods). The screen starts transparent, as
// browsers draw it (the background colour is ignored); disposal 2 clears
// the frame's rectangle to transparent, 3 restores what was under it.
type gifFrames struct {
	g       *gif.GIF
	i       int
	t       int    // ms elapsed
	canvas  []byte // the screen now
	saved   []byte // under a frame with disposal 3
	w, h    int
	palette [256][4]byte
}

func openGIF(r io.Reader) (*gifFrames, error) {
	g, err := gif.DecodeAll(r)
	if err != nil {
		return nil, contract.Corrupt(err, "the GIF animation cannot be decoded")
	}
	w, h := g.Config.Width, g.Config.Height
	for _, m := range g.Image {
		if !m.Rect.In(image.Rect(0, 0, w, h)) {
			return nil, contract.Corrupt(nil, "GIF frame %v lies outside its %dx%d screen", m.Rect, w, h)
		}
	}
	return &gifFrames{g: g, w: w, h: h, canvas: make([]byte, w*h*4)}, nil
}

func (f *gifFrames) next(dst []byte) (int, error) {
	if f.i >= len(f.g.Image) {
		return 0, io.EOF
	}
	m, disposal := f.g.Image[f.i], f.g.Disposal[f.i]
	if disposal == gif.DisposalPrevious {
		if f.saved == nil {
			f.saved = make([]byte, len(f.canvas))
		}
		copy(f.saved, f.canvas)
	}
	for k := range f.palette {
		f.palette[k] = [4]byte{} // an index past the palette draws nothing
		if k < len(m.Palette) {
			r, g, b, a := m.Palette[k].RGBA()
			f.palette[k] = [4]byte{byte(r >> 8), byte(g >> 8), byte(b >> 8), byte(a >> 8)}
		}
	}
	b := m.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := m.Pix[(y-b.Min.Y)*m.Stride : (y-b.Min.Y)*m.Stride+b.Dx()]
		row := f.canvas[(y*f.w+b.Min.X)*4:]
		for x, idx := range src {
			if c := f.palette[idx]; c[3] != 0 { // the transparent index leaves what is under it
				copy(row[x*4:x*4+4], c[:])
			}
		}
	}
	copy(dst, f.canvas)
	switch disposal {
	case gif.DisposalBackground:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			clear(f.canvas[(y*f.w+b.Min.X)*4 : (y*f.w+b.Max.X)*4])
		}
	case gif.DisposalPrevious:
		copy(f.canvas, f.saved)
	}
	d := f.g.Delay[f.i] * 10
	if d <= minFrameMs {
		d = shortFrameAsMs
	}
	f.i++
	f.t += d
	return f.t, nil
}

func (f *gifFrames) close() {}

// webpFrames decodes an animated WebP with libwebp's WebPAnimDecoder,
// which applies the file's disposal and blending itself.
type webpFrames struct {
	d    *webpanim.Decoder
	info webpanim.Info
	i    int
}

func openWebPAnimation(src []byte) (*webpFrames, error) {
	d, info, err := webpanim.NewDecoder(src)
	if err != nil {
		return nil, contract.Corrupt(err, "the WebP animation cannot be decoded")
	}
	return &webpFrames{d: d, info: info}, nil
}

func (f *webpFrames) next(dst []byte) (int, error) {
	if f.i >= f.info.Frames {
		return 0, io.EOF
	}
	f.i++
	t, err := f.d.Next(dst)
	if err != nil {
		return 0, contract.Corrupt(err, "a frame of the WebP animation cannot be decoded")
	}
	return t, nil
}

func (f *webpFrames) close() { f.d.Close() }

// openFrames opens the animation in src (a GIF or an animated WebP) and
// returns its canvas size.
func openFrames(ctx context.Context, kind sourceKind, src []byte) (frames, int, int, error) {
	switch kind {
	case kindGIF:
		f, err := openGIF(ctxReader{ctx, bytes.NewReader(src)})
		if err != nil {
			return nil, 0, 0, err
		}
		return f, f.w, f.h, nil
	case kindWebP:
		f, err := openWebPAnimation(src)
		if err != nil {
			return nil, 0, 0, err
		}
		return f, f.info.Width, f.info.Height, nil
	}
	return nil, 0, 0, fmt.Errorf("no animation in a %s source", kind)
}
