package converter

import (
	"encoding/binary"

	"imgcells/contract"
)

// animation is what an animated source's headers say, read without
// decoding a pixel: enough to check the limits and cost the conversion.
type animation struct {
	frames     int   // images in the file
	framePx    int64 // their pixels, summed (a GIF frame may be smaller than the canvas)
	plays      int   // times the animation plays: 0 forever
	hasPlayCnt bool  // the file says how often (GIF: a NETSCAPE2.0 extension)
}

// scanGIF walks a GIF's blocks (GIF89a specification, sections 17–26):
// every image descriptor counts a frame, whose LZW data is skipped by its
// sub-block lengths, and a NETSCAPE2.0 application extension gives the
// loop count. A file cut short counts the frames that are complete.
func scanGIF(src []byte) (animation, error) {
	a := animation{plays: 1}
	if len(src) < 13 {
		return a, contract.Corrupt(nil, "GIF header is truncated")
	}
	i := 13
	if src[10]&0x80 != 0 {
		i += 3 << (1 + src[10]&7) // global colour table
	}
	skipBlocks := func(i int) int { // sub-blocks up to the empty one
		for i < len(src) && src[i] != 0 {
			i += 1 + int(src[i])
		}
		return i + 1
	}
	for i < len(src) {
		switch src[i] {
		case 0x21: // extension
			if i+2 < len(src) && src[i+1] == 0xFF && i+14 < len(src) && src[i+2] == 11 &&
				string(src[i+3:i+14]) == "NETSCAPE2.0" && i+18 < len(src) && src[i+14] == 3 && src[i+15] == 1 {
				// GIF counts repeats after the first play; 0 is forever.
				n := int(binary.LittleEndian.Uint16(src[i+16:]))
				a.plays, a.hasPlayCnt = n+1, true
				if n == 0 {
					a.plays = 0
				}
			}
			i = skipBlocks(i + 2)
		case 0x2C: // image descriptor, local colour table, LZW code size, data
			if i+10 > len(src) {
				return a, nil
			}
			w, h := binary.LittleEndian.Uint16(src[i+5:]), binary.LittleEndian.Uint16(src[i+7:])
			flags := src[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (1 + flags&7)
			}
			i = skipBlocks(i + 1)
			if i > len(src) {
				return a, nil
			}
			a.frames++
			a.framePx += int64(w) * int64(h)
		case 0x3B: // trailer
			return a, nil
		default:
			return a, contract.Corrupt(nil, "GIF has an unknown block 0x%02x at byte %d", src[i], i)
		}
	}
	return a, nil
}

// scanWebP counts an animated WebP's ANMF frames and reads the ANIM
// chunk's loop count (WebP container specification: the number of plays,
// 0 forever). A still WebP is one frame.
func scanWebP(src []byte) (animation, error) {
	a := animation{frames: 1, plays: 0}
	if len(src) < 30 || string(src[12:16]) != "VP8X" || src[20]&0x02 == 0 {
		return a, nil
	}
	a.frames = 0
	for i := 12; i+8 <= len(src); {
		n := int64(binary.LittleEndian.Uint32(src[i+4:]))
		if n > int64(len(src)-i-8) {
			return a, contract.Corrupt(nil, "WebP chunk %q is truncated", string(src[i:i+4]))
		}
		body := src[i+8 : i+8+int(n)]
		switch string(src[i : i+4]) {
		case "ANIM":
			if len(body) >= 6 {
				a.plays, a.hasPlayCnt = int(binary.LittleEndian.Uint16(body[4:])), true
			}
		case "ANMF":
			if len(body) >= 16 {
				u24 := func(b []byte) int64 { return int64(b[0]) | int64(b[1])<<8 | int64(b[2])<<16 }
				a.frames++
				a.framePx += (1 + u24(body[6:])) * (1 + u24(body[9:]))
			}
		}
		i += 8 + int(n) + int(n&1)
	}
	return a, nil
}

// scanAnimation reads an animated source's headers; other sources are one
// frame.
func scanAnimation(kind sourceKind, src []byte) (animation, error) {
	switch kind {
	case kindGIF:
		return scanGIF(src)
	case kindWebP:
		return scanWebP(src)
	}
	return animation{frames: 1}, nil
}
