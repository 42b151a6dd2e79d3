package converter

import (
	"bytes"
	"encoding/binary"
)

// orientation reads the EXIF Orientation tag (1–8) of a JPEG (APP1), PNG
// (eXIf) or WebP (EXIF chunk). It returns 1 when there is none or it is
// unreadable: a broken EXIF block never fails a conversion.
func orientation(kind sourceKind, src []byte) int {
	var tiff []byte
	switch kind {
	case kindJPEG:
		tiff = jpegEXIF(src)
	case kindPNG:
		tiff = pngChunk(src, "eXIf")
	case kindWebP:
		tiff = webpChunk(src, "EXIF")
	}
	tiff = bytes.TrimPrefix(tiff, []byte("Exif\x00\x00"))
	if o := tiffOrientation(tiff); o >= 1 && o <= 8 {
		return o
	}
	return 1
}

// jpegEXIF returns the TIFF block of the first Exif APP1 segment.
func jpegEXIF(src []byte) []byte {
	i := 2
	for i+4 <= len(src) && src[i] == 0xFF {
		m := src[i+1]
		if m == 0xFF {
			i++
			continue
		}
		if m == 0xDA || m == 0xD9 {
			return nil
		}
		n := int(binary.BigEndian.Uint16(src[i+2 : i+4]))
		end := i + 2 + n
		if n < 2 || end > len(src) {
			return nil
		}
		seg := src[i+4 : end]
		if m == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i = end
	}
	return nil
}

// pngChunk returns the data of the first chunk of the given type before IDAT.
func pngChunk(src []byte, typ string) []byte {
	i := len(pngSignature)
	for i+8 <= len(src) {
		n := int(binary.BigEndian.Uint32(src[i : i+4]))
		t := string(src[i+4 : i+8])
		if n < 0 || n > len(src)-i-8 || t == "IDAT" {
			return nil
		}
		if t == typ {
			return src[i+8 : i+8+n]
		}
		i += 12 + n // length, type, data, CRC
	}
	return nil
}

// webpChunk returns the data of the first RIFF chunk of the given type.
func webpChunk(src []byte, typ string) []byte {
	i := 12
	for i+8 <= len(src) {
		n := int(binary.LittleEndian.Uint32(src[i+4 : i+8]))
		if n < 0 || n > len(src)-i-8 {
			return nil
		}
		if string(src[i:i+4]) == typ {
			return src[i+8 : i+8+n]
		}
		i += 8 + n + n&1 // chunks are padded to even sizes
	}
	return nil
}

// tiffOrientation finds tag 0x0112 in IFD0 of a TIFF block; 0 if absent.
func tiffOrientation(b []byte) int {
	if len(b) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(b[2:4]) != 42 {
		return 0
	}
	off := int64(bo.Uint32(b[4:8]))
	if off < 8 || off+2 > int64(len(b)) {
		return 0
	}
	n := int64(bo.Uint16(b[off : off+2]))
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > int64(len(b)) {
			return 0
		}
		if bo.Uint16(b[e:e+2]) == 0x0112 && bo.Uint16(b[e+2:e+4]) == 3 {
			return int(bo.Uint16(b[e+8 : e+10]))
		}
	}
	return 0
}
