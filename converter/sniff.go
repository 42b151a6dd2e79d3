package converter

import (
	"bytes"
	"encoding/binary"

	"imgcells/contract"
)

// sourceKind is an input format the converter decodes.
type sourceKind uint8

const (
	kindJPEG sourceKind = iota + 1
	kindPNG
	kindGIF
	kindWebP
)

func (k sourceKind) String() string {
	switch k {
	case kindJPEG:
		return "jpeg"
	case kindPNG:
		return "png"
	case kindGIF:
		return "gif"
	case kindWebP:
		return "webp"
	}
	return "unknown"
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// sniff names the source's format from its magic bytes. Anything that is not
// one of the decoded formats (SVG, text, empty, AVIF, ...) is a 415.
func sniff(src []byte) (sourceKind, error) {
	switch {
	case len(src) == 0:
		return 0, contract.Unsupported("empty source")
	case len(src) >= 3 && src[0] == 0xFF && src[1] == 0xD8 && src[2] == 0xFF:
		return kindJPEG, nil
	case bytes.HasPrefix(src, pngSignature):
		return kindPNG, nil
	case bytes.HasPrefix(src, []byte("GIF87a")), bytes.HasPrefix(src, []byte("GIF89a")):
		return kindGIF, nil
	case len(src) >= 12 && string(src[0:4]) == "RIFF" && string(src[8:12]) == "WEBP":
		return kindWebP, nil
	}
	return 0, contract.Unsupported("source is not a JPEG, PNG, GIF or WebP image")
}

// headerSize reads the image dimensions from the header alone, without
// decoding, so the pixel limit can be enforced before any allocation.
func headerSize(kind sourceKind, src []byte) (w, h int, err error) {
	switch kind {
	case kindJPEG:
		return jpegHeaderSize(src)
	case kindPNG:
		// signature, IHDR length and type, then width and height.
		if len(src) < 24 || string(src[12:16]) != "IHDR" {
			return 0, 0, contract.Corrupt(nil, "PNG header is truncated")
		}
		w := binary.BigEndian.Uint32(src[16:20])
		h := binary.BigEndian.Uint32(src[20:24])
		if w > 1<<24 || h > 1<<24 {
			return 0, 0, contract.TooLarge("PNG header claims %dx%d", w, h)
		}
		return int(w), int(h), nil
	case kindGIF:
		// Go's decoder refuses frames outside the logical screen, so the
		// screen size bounds every frame.
		if len(src) < 10 {
			return 0, 0, contract.Corrupt(nil, "GIF header is truncated")
		}
		return int(binary.LittleEndian.Uint16(src[6:8])), int(binary.LittleEndian.Uint16(src[8:10])), nil
	case kindWebP:
		return webpHeaderSize(src)
	}
	return 0, 0, contract.Unsupported("unknown source format")
}

// jpegHeaderSize walks the marker segments up to the first SOFn.
func jpegHeaderSize(src []byte) (int, int, error) {
	i := 2
	for {
		// Markers are 0xFF, any number of 0xFF fill bytes, then the code.
		start := i
		for i < len(src) && src[i] == 0xFF {
			i++
		}
		if i >= len(src) {
			return 0, 0, contract.Corrupt(nil, "JPEG is truncated before its frame header")
		}
		if i == start {
			return 0, 0, contract.Corrupt(nil, "JPEG marker expected at byte %d", i)
		}
		m := src[i]
		i++
		switch {
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			continue // standalone markers
		case m == 0xD9 || m == 0xDA:
			return 0, 0, contract.Corrupt(nil, "JPEG has no frame header before its scan")
		}
		if i+2 > len(src) {
			return 0, 0, contract.Corrupt(nil, "JPEG is truncated in a marker segment")
		}
		n := int(binary.BigEndian.Uint16(src[i : i+2]))
		if n < 2 {
			return 0, 0, contract.Corrupt(nil, "JPEG marker segment has a bad length")
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if i+7 > len(src) || n < 7 {
				return 0, 0, contract.Corrupt(nil, "JPEG frame header is truncated")
			}
			h := int(binary.BigEndian.Uint16(src[i+3 : i+5]))
			w := int(binary.BigEndian.Uint16(src[i+5 : i+7]))
			return w, h, nil
		}
		i += n
	}
}

// webpHeaderSize reads the canvas size of a simple (VP8, VP8L) or extended
// (VP8X) WebP file.
func webpHeaderSize(src []byte) (int, int, error) {
	if len(src) < 30 {
		return 0, 0, contract.Corrupt(nil, "WebP header is truncated")
	}
	switch string(src[12:16]) {
	case "VP8X":
		w := 1 + int(uint32(src[24])|uint32(src[25])<<8|uint32(src[26])<<16)
		h := 1 + int(uint32(src[27])|uint32(src[28])<<8|uint32(src[29])<<16)
		return w, h, nil
	case "VP8L":
		if src[20] != 0x2F {
			return 0, 0, contract.Corrupt(nil, "WebP lossless signature is missing")
		}
		b := binary.LittleEndian.Uint32(src[21:25])
		return 1 + int(b&0x3FFF), 1 + int((b>>14)&0x3FFF), nil
	case "VP8 ":
		if src[23] != 0x9D || src[24] != 0x01 || src[25] != 0x2A {
			return 0, 0, contract.Corrupt(nil, "WebP lossy start code is missing")
		}
		w := int(binary.LittleEndian.Uint16(src[26:28]) & 0x3FFF)
		h := int(binary.LittleEndian.Uint16(src[28:30]) & 0x3FFF)
		return w, h, nil
	}
	return 0, 0, contract.Corrupt(nil, "WebP has an unknown first chunk")
}
