package verify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
)

// ProbePrefix is the reserved prefix of the main source bucket under which the
// checks upload their probes, one folder per run. Nothing else may live there.
const ProbePrefix = "_imgcells-verify/"

// Probe sizes: small enough to upload in a moment, large enough to resize.
const (
	probeWidth  = 320
	probeHeight = 200
	// probeAskWidth is the width the checks ask for: every configuration's
	// breakpoints snap it to something at most the probe's width.
	probeAskWidth = 100
)

// probePNG is an opaque probe original: a gradient with a pattern that
// differs per seed, so every probe is a distinct image. Opaque, so a JPEG is
// what a browser without WebP gets (the converter keeps PNG for transparency).
func probePNG(seed int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, probeWidth, probeHeight))
	for y := range probeHeight {
		for x := range probeWidth {
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(x * 255 / probeWidth),
				G: uint8(y * 255 / probeHeight),
				B: uint8((x*y + seed*37) % 256),
				A: 255,
			})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encoding the probe: %w", err)
	}
	return b.Bytes(), nil
}

// hostilePNG is a tiny PNG whose header claims 100000×100000 pixels (10
// gigapixels, 40 GB decoded): the converter must refuse it from the header
// with a 4xx, before decoding anything.
func hostilePNG() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}
