package libpng

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"imgcells/converter/internal/hostile"
)

// gradient is a 16-bit sample that sweeps the whole range across the image,
// differently per channel; alpha stays high enough for colour to matter.
func gradient(w, h int) func(x, y, c int) uint16 {
	return func(x, y, c int) uint16 {
		switch c {
		case 0:
			return uint16(x * 65535 / (w - 1))
		case 1:
			return uint16(y * 65535 / (h - 1))
		case 3:
			return uint16(0x8000 + x*0x7FFF/(w-1))
		}
		return uint16((x + y) * 65535 / (w + h - 2))
	}
}

// 16-bit samples are read as sRGB, as browsers and Go's decoder read them,
// not as linear light (libpng's simplified API's default): every 8-bit
// sample is within one level of Go's, interlaced or not, with or without
// alpha.
func TestSixteenBitSamplesAreSRGB(t *testing.T) {
	for _, c := range []hostile.PNG{
		{Width: 64, Height: 48, Depth: 16, Colour: 2},
		{Width: 64, Height: 48, Depth: 16, Colour: 6, Interlaced: true},
		{Width: 63, Height: 47, Depth: 16, Colour: 0, Interlaced: true},
	} {
		c.Sample = gradient(c.Width, c.Height)
		src, err := c.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		img, err := Decode(context.Background(), src, 0, nil)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		ref, err := png.Decode(bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		worst := 0
		for y := range c.Height {
			for x := range c.Width {
				want := color.NRGBA64Model.Convert(ref.At(x, y)).(color.NRGBA64)
				w := [4]uint16{want.R, want.G, want.B, want.A}
				for ch := range img.Components {
					got := int(img.Pix[(y*c.Width+x)*img.Components+ch])
					worst = max(worst, abs(got-(int(w[ch])+128)/257))
				}
			}
		}
		if worst > 1 {
			t.Errorf("colour %d interlaced %v: samples differ from Go's by up to %d levels", c.Colour, c.Interlaced, worst)
		}
	}
}

func abs(v int) int { return max(v, -v) }

// One rule for damaged chunks, whichever path decodes: a bad CRC in a
// chunk that carries the image (IHDR, PLTE, IDAT) refuses it; in IEND,
// which carries nothing, or an ancillary chunk it is ignored.
func TestOneRuleForBadCRCs(t *testing.T) {
	var rgb bytes.Buffer
	m := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for i := range m.Pix {
		m.Pix[i] = byte(i * 13)
	}
	if err := png.Encode(&rgb, m); err != nil {
		t.Fatal(err)
	}
	sixteen, err := hostile.PNG{Width: 40, Height: 30, Depth: 16, Colour: 2}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for name, good := range map[string][]byte{"8-bit RGBA (libdeflate path)": rgb.Bytes(), "16-bit RGB (libpng path)": sixteen} {
		want, err := Decode(context.Background(), good, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		withText := hostile.WithChunk(good, "tEXt", []byte("Comment\x00hi"))
		for _, typ := range []string{"IHDR", "IDAT", "IEND", "tEXt"} {
			bad, err := hostile.WithBadCRC(withText, typ)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(context.Background(), bad, 0, nil)
			if typ == "tEXt" || typ == "IEND" {
				if err != nil || !bytes.Equal(got.Pix, want.Pix) {
					t.Errorf("%s, bad %s CRC: %v; want the image, the chunk skipped", name, typ, err)
				}
				continue
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s, bad %s CRC: error %v, want ErrCorrupt", name, typ, err)
			}
		}
	}
}

func TestDecodeStopsAtTheDeadline(t *testing.T) {
	src, err := hostile.PNG{Width: 64, Height: 64, Depth: 16, Colour: 4, Interlaced: true}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Decode(done, src, 0, nil); !errors.Is(err, ErrAborted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want ErrAborted wrapping the context's", err)
	}
	if _, err := Decode(context.Background(), src, 0, nil); err != nil {
		t.Fatalf("the same file with time to spare: %v", err)
	}
}
