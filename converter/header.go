package converter

import (
	"encoding/binary"
	"hash/crc32"
	"image"

	"imgcells/contract"
)

// source is what an original's headers say, read without decoding: enough
// to check the limits and predict the conversion's time and memory.
type source struct {
	kind  sourceKind
	w, h  int  // the image as shown: a GIF's or animated WebP's canvas
	alpha bool // the decoded image may be transparent

	jpeg *jpegHeader

	pngDepth      int // 1, 2, 4, 8 or 16
	pngChannels   int // samples per stored pixel: 1 (grey, palette) to 4 (RGBA)
	pngInterlaced bool

	frame    image.Rectangle // GIF, animated WebP: the first frame on the canvas
	lossless bool            // WebP: VP8L
	animated bool            // WebP: ANIM/ANMF
	profiled bool            // an embedded colour profile is to be applied (colour.go)
}

// pixels is the canvas's pixel count.
func (s *source) pixels() int64 { return int64(s.w) * int64(s.h) }

// readHeader reads the source's headers. Damage found here is a 422, a
// process or variant we do not decode a 415.
func readHeader(kind sourceKind, src []byte) (*source, error) {
	s := &source{kind: kind}
	switch kind {
	case kindJPEG:
		j, err := readJPEGHeader(src)
		if err != nil {
			return nil, err
		}
		s.jpeg, s.w, s.h = j, j.w, j.h
		return s, nil
	case kindPNG:
		return s, s.readPNG(src)
	case kindGIF:
		return s, s.readGIF(src)
	case kindWebP:
		return s, s.readWebP(src)
	}
	return nil, contract.Unsupported("unknown source format")
}

// readPNG checks IHDR (its CRC included: a damaged header is refused on
// every decoding path) and looks for tRNS before the image data.
func (s *source) readPNG(src []byte) error {
	if len(src) < 33 || binary.BigEndian.Uint32(src[8:12]) != 13 || string(src[12:16]) != "IHDR" {
		return contract.Corrupt(nil, "PNG header is truncated")
	}
	if crc32.ChecksumIEEE(src[12:29]) != binary.BigEndian.Uint32(src[29:33]) {
		return contract.Corrupt(nil, "PNG header is damaged (CRC mismatch)")
	}
	w, h := binary.BigEndian.Uint32(src[16:20]), binary.BigEndian.Uint32(src[20:24])
	if w > 1<<24 || h > 1<<24 {
		return contract.TooLarge("PNG header claims %dx%d", w, h)
	}
	s.w, s.h = int(w), int(h)
	s.pngDepth, s.pngInterlaced = int(src[24]), src[28] == 1
	colour := src[25]
	s.alpha = colour == 4 || colour == 6
	s.pngChannels = map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
	for i := 33; i+8 <= len(src) && !s.alpha; {
		n := int(binary.BigEndian.Uint32(src[i:]))
		typ := string(src[i+4 : i+8])
		if typ == "IDAT" || n < 0 || n > len(src)-i-12 {
			break
		}
		s.alpha = typ == "tRNS"
		i += n + 12
	}
	return nil
}

// readGIF reads the logical screen and finds the first frame's rectangle,
// skipping extension blocks.
func (s *source) readGIF(src []byte) error {
	if len(src) < 13 {
		return contract.Corrupt(nil, "GIF header is truncated")
	}
	s.w, s.h = int(binary.LittleEndian.Uint16(src[6:8])), int(binary.LittleEndian.Uint16(src[8:10]))
	s.alpha = true // frames need not cover the screen; the rest is transparent
	i := 13
	if src[10]&0x80 != 0 {
		i += 3 << (1 + src[10]&7)
	}
	for i < len(src) {
		switch src[i] {
		case 0x21: // extension: label, then sub-blocks up to an empty one
			i += 2
			for i < len(src) && src[i] != 0 {
				i += 1 + int(src[i])
			}
			i++
		case 0x2C:
			if i+10 > len(src) {
				return contract.Corrupt(nil, "GIF image descriptor is truncated")
			}
			d := src[i+1:]
			x, y := int(binary.LittleEndian.Uint16(d[0:])), int(binary.LittleEndian.Uint16(d[2:]))
			fw, fh := int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))
			s.frame = image.Rect(x, y, x+fw, y+fh)
			if !s.frame.In(image.Rect(0, 0, s.w, s.h)) || s.frame.Empty() {
				return contract.Corrupt(nil, "GIF frame %v lies outside its %dx%d screen", s.frame, s.w, s.h)
			}
			return nil
		default:
			return contract.Corrupt(nil, "GIF has no image")
		}
	}
	return contract.Corrupt(nil, "GIF is truncated before its first image")
}

// readWebP reads the canvas size of a simple (VP8, VP8L) or extended
// (VP8X) WebP file, and for an animation its first frame.
func (s *source) readWebP(src []byte) error {
	if len(src) < 30 {
		return contract.Corrupt(nil, "WebP header is truncated")
	}
	switch string(src[12:16]) {
	case "VP8X":
		s.w = 1 + int(uint32(src[24])|uint32(src[25])<<8|uint32(src[26])<<16)
		s.h = 1 + int(uint32(src[27])|uint32(src[28])<<8|uint32(src[29])<<16)
		s.alpha, s.animated = src[20]&0x10 != 0, src[20]&0x02 != 0
		f, err := firstWebPFrame(src)
		if err != nil {
			return err
		}
		s.frame, s.lossless = f.rect, f.lossless
		// An animation's frame is decoded as RGBA, and laid on a
		// transparent canvas when it does not cover it.
		s.alpha = s.alpha || s.animated
		if !s.frame.In(image.Rect(0, 0, s.w, s.h)) {
			return contract.Corrupt(nil, "WebP frame %v lies outside its %dx%d canvas", s.frame, s.w, s.h)
		}
		return nil
	case "VP8L":
		if src[20] != 0x2F {
			return contract.Corrupt(nil, "WebP lossless signature is missing")
		}
		b := binary.LittleEndian.Uint32(src[21:25])
		s.w, s.h = 1+int(b&0x3FFF), 1+int((b>>14)&0x3FFF)
		s.alpha, s.lossless = b>>28&1 != 0, true
	case "VP8 ":
		if src[23] != 0x9D || src[24] != 0x01 || src[25] != 0x2A {
			return contract.Corrupt(nil, "WebP lossy start code is missing")
		}
		s.w = int(binary.LittleEndian.Uint16(src[26:28]) & 0x3FFF)
		s.h = int(binary.LittleEndian.Uint16(src[28:30]) & 0x3FFF)
	default:
		return contract.Corrupt(nil, "WebP has an unknown first chunk")
	}
	s.frame = image.Rect(0, 0, s.w, s.h)
	return nil
}
