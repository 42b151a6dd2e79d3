package icc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// PNG is a PNG's colour description, from the chunks before its image data.
// By the PNG specification (3rd edition, 11.3.2) an iCCP profile overrides
// sRGB, which overrides gAMA and cHRM.
type PNG struct {
	Profile []byte // inflated iCCP profile
	SRGB    bool   // an sRGB chunk
	Gamma   uint32 // gAMA: the encoding exponent × 100000; 0 without one
	// cHRM: white point, then red, green and blue primaries, CIE x and y
	// × 100000; all zero without one.
	Chrm [8]uint32
}

// HasChrm reports whether the file carried a cHRM chunk.
func (p PNG) HasChrm() bool { return p.Chrm != [8]uint32{} }

// FromPNG reads the chunks before IDAT. A chunk whose CRC does not match is
// skipped, as libpng skips damaged ancillary chunks. An iCCP whose data does
// not inflate, or inflates past MaxSize, is an error.
func FromPNG(src []byte) (PNG, error) {
	var p PNG
	if len(src) < 8 || string(src[:8]) != "\x89PNG\r\n\x1a\n" {
		return p, ErrNoImage
	}
	for i := 8; i+12 <= len(src); {
		n := uint64(binary.BigEndian.Uint32(src[i:]))
		if n > uint64(len(src)-i-12) {
			break
		}
		typ := string(src[i+4 : i+8])
		data := src[i+8 : i+8+int(n)]
		crcOK := crc32.ChecksumIEEE(src[i+4:i+8+int(n)]) == binary.BigEndian.Uint32(src[i+8+int(n):])
		i += 12 + int(n)
		if typ == "IDAT" || typ == "IEND" {
			break
		}
		if !crcOK {
			continue
		}
		switch typ {
		case "iCCP":
			prof, err := inflateICCP(data)
			if err != nil {
				return p, err
			}
			p.Profile = prof
		case "sRGB":
			p.SRGB = len(data) == 1
		case "gAMA":
			if len(data) == 4 {
				p.Gamma = binary.BigEndian.Uint32(data)
			}
		case "cHRM":
			if len(data) == 32 {
				for k := range p.Chrm {
					p.Chrm[k] = binary.BigEndian.Uint32(data[4*k:])
				}
			}
		}
	}
	return p, nil
}

// inflateICCP reads an iCCP chunk: a name of 1–79 bytes, a NUL, the
// compression method (0, zlib) and the compressed profile.
func inflateICCP(data []byte) ([]byte, error) {
	nul := bytes.IndexByte(data, 0)
	if nul < 1 || nul > 79 || nul+2 > len(data) || data[nul+1] != 0 {
		return nil, invalid("iCCP chunk header is malformed")
	}
	z, err := zlib.NewReader(bytes.NewReader(data[nul+2:]))
	if err != nil {
		return nil, invalid("iCCP profile does not inflate: %v", err)
	}
	defer z.Close()
	prof, err := io.ReadAll(io.LimitReader(z, MaxSize+1))
	if err != nil {
		return nil, invalid("iCCP profile does not inflate: %v", err)
	}
	if len(prof) > MaxSize {
		return nil, invalid("iCCP profile inflates past %d bytes", MaxSize)
	}
	return prof, nil
}
