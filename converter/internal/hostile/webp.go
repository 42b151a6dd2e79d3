package hostile

import (
	"encoding/binary"
	"errors"
	"image"
	"image/color"

	"github.com/chai2010/webp"
)

// AnimatedWebP is an animated WebP: each frame a solid rectangle of the
// canvas (offsets even, as the format requires), encoded losslessly.
type AnimatedWebP struct {
	Width, Height int
	Frames        []WebPFrame
}

// WebPFrame is one frame of an AnimatedWebP.
type WebPFrame struct {
	Rect   image.Rectangle
	Colour color.NRGBA
}

// Bytes encodes the file: VP8X (animation, alpha), ANIM, then one ANMF per
// frame holding that frame's VP8L bitstream.
func (a AnimatedWebP) Bytes() ([]byte, error) {
	body := []byte("WEBP")
	vp8x := []byte{0x02 | 0x10, 0, 0, 0}
	vp8x = append24(append24(vp8x, a.Width-1), a.Height-1)
	body = appendRIFFChunk(body, "VP8X", vp8x)
	body = appendRIFFChunk(body, "ANIM", []byte{0, 0, 0, 0, 0, 0}) // background, loop forever
	for _, f := range a.Frames {
		if f.Rect.Min.X%2 != 0 || f.Rect.Min.Y%2 != 0 {
			return nil, errors.New("hostile: WebP frame offsets must be even")
		}
		m := image.NewNRGBA(image.Rect(0, 0, f.Rect.Dx(), f.Rect.Dy()))
		for i := 0; i < len(m.Pix); i += 4 {
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = f.Colour.R, f.Colour.G, f.Colour.B, f.Colour.A
		}
		still, err := webp.EncodeLosslessRGBA(m)
		if err != nil {
			return nil, err
		}
		if len(still) < 20 || string(still[12:16]) != "VP8L" {
			return nil, errors.New("hostile: the encoder did not write a simple lossless WebP")
		}
		anmf := append24(append24(nil, f.Rect.Min.X/2), f.Rect.Min.Y/2)
		anmf = append24(append24(anmf, f.Rect.Dx()-1), f.Rect.Dy()-1)
		anmf = append24(anmf, 100) // duration, ms
		anmf = append(anmf, 0)     // alpha-blend, no disposal
		anmf = append(anmf, still[12:]...)
		body = appendRIFFChunk(body, "ANMF", anmf)
	}
	out := binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body)))
	return append(out, body...), nil
}

func append24(b []byte, v int) []byte { return append(b, byte(v), byte(v>>8), byte(v>>16)) }

func appendRIFFChunk(b []byte, typ string, data []byte) []byte {
	b = binary.LittleEndian.AppendUint32(append(b, typ...), uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 != 0 {
		b = append(b, 0)
	}
	return b
}
