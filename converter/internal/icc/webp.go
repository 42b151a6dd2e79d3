package icc

import "encoding/binary"

// FromWebP returns the ICCP chunk of an extended (VP8X) WebP whose header
// flags a profile (WebP container specification: the ICC flag is bit 5 of
// the VP8X flags, and the ICCP chunk follows VP8X). nil without one.
func FromWebP(src []byte) ([]byte, error) {
	if len(src) < 30 || string(src[0:4]) != "RIFF" || string(src[8:12]) != "WEBP" {
		return nil, ErrNoImage
	}
	if string(src[12:16]) != "VP8X" || src[20]&0x20 == 0 {
		return nil, nil
	}
	for i := 12; i+8 <= len(src); {
		n := uint64(binary.LittleEndian.Uint32(src[i+4:]))
		if n > uint64(len(src)-i-8) {
			return nil, invalid("WebP chunk %q is truncated", string(src[i:i+4]))
		}
		switch string(src[i : i+4]) {
		case "ICCP":
			if n > MaxSize {
				return nil, invalid("ICCP chunk of %d bytes, more than %d", n, MaxSize)
			}
			return src[i+8 : i+8+int(n)], nil
		case "ANIM", "ANMF", "ALPH", "VP8 ", "VP8L":
			return nil, invalid("VP8X flags a profile but no ICCP chunk precedes the image")
		}
		i += 8 + int(n) + int(n&1)
	}
	return nil, invalid("VP8X flags a profile but the file has no ICCP chunk")
}
