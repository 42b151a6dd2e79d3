package hostile

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
)

// GIF is a one-frame GIF whose frame covers only part of its logical
// screen: Frame, in screen coordinates, filled with Colour; the rest of the
// screen is left to the viewer (browsers show it transparent).
type GIF struct {
	Width, Height int             // the logical screen
	Frame         image.Rectangle // inside the screen
	Colour        color.RGBA
}

// Bytes encodes the file.
func (g GIF) Bytes() ([]byte, error) {
	pal := color.Palette{g.Colour, color.RGBA{0, 0, 0, 255}}
	m := image.NewPaletted(g.Frame, pal) // every pixel index 0: Colour
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{
		Image:  []*image.Paletted{m},
		Delay:  []int{0},
		Config: image.Config{ColorModel: pal, Width: g.Width, Height: g.Height},
	})
	return b.Bytes(), err
}
