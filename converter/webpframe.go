package converter

import (
	"encoding/binary"
	"image"

	"imgcells/contract"
)

// webpFrame is the first image of an extended WebP: for an animation, its
// first ANMF frame (offset on the canvas, its own bitstream chunks); for a
// still image, the whole canvas.
type webpFrame struct {
	rect     image.Rectangle
	lossless bool
	chunks   []byte // an animation frame's ALPH, VP8 and VP8L chunks; nil for a still image
	alpha    bool   // the frame has an ALPH chunk or is lossless
}

// firstWebPFrame walks an extended (VP8X) WebP's chunks to its first image.
func firstWebPFrame(src []byte) (webpFrame, error) {
	w := 1 + int(uint32(src[24])|uint32(src[25])<<8|uint32(src[26])<<16)
	h := 1 + int(uint32(src[27])|uint32(src[28])<<8|uint32(src[29])<<16)
	animated := src[20]&0x02 != 0
	for i := 12; i+8 <= len(src); {
		typ := string(src[i : i+4])
		n := int(binary.LittleEndian.Uint32(src[i+4:]))
		if n < 0 || n > len(src)-i-8 {
			return webpFrame{}, contract.Corrupt(nil, "WebP chunk %q is truncated", typ)
		}
		payload := src[i+8 : i+8+n]
		switch {
		case typ == "ANMF" && animated:
			if n < 16 {
				return webpFrame{}, contract.Corrupt(nil, "WebP animation frame header is truncated")
			}
			u24 := func(b []byte) int { return int(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16) }
			x, y := 2*u24(payload[0:]), 2*u24(payload[3:])
			f := webpFrame{rect: image.Rect(x, y, x+1+u24(payload[6:]), y+1+u24(payload[9:])), chunks: payload[16:]}
			for j := 0; j+8 <= len(f.chunks); {
				m := int(binary.LittleEndian.Uint32(f.chunks[j+4:]))
				switch string(f.chunks[j : j+4]) {
				case "VP8L":
					f.lossless, f.alpha = true, true
				case "ALPH":
					f.alpha = true
				}
				j += 8 + m + m&1
			}
			return f, nil
		case (typ == "VP8 " || typ == "VP8L") && !animated:
			return webpFrame{rect: image.Rect(0, 0, w, h), lossless: typ == "VP8L"}, nil
		}
		i += 8 + n + n&1
	}
	return webpFrame{}, contract.Corrupt(nil, "WebP has no image data")
}

// standalone makes the frame's chunks a WebP file of their own, which
// libwebp decodes like any still image.
func (f webpFrame) standalone() []byte {
	var body []byte
	body = append(body, "WEBP"...)
	if !f.lossless && f.alpha {
		// Lossy with alpha needs the extended header around ALPH and VP8.
		body = append(body, "VP8X"...)
		body = binary.LittleEndian.AppendUint32(body, 10)
		w, h := f.rect.Dx()-1, f.rect.Dy()-1
		body = append(body, 0x10, 0, 0, 0, byte(w), byte(w>>8), byte(w>>16), byte(h), byte(h>>8), byte(h>>16))
	}
	for j := 0; j+8 <= len(f.chunks); {
		m := int(binary.LittleEndian.Uint32(f.chunks[j+4:]))
		end := min(j+8+m+m&1, len(f.chunks))
		switch string(f.chunks[j : j+4]) {
		case "ALPH", "VP8 ", "VP8L":
			body = append(body, f.chunks[j:end]...)
		}
		j = end
	}
	out := binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body)))
	return append(out, body...)
}
