package hostile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// PNG describes a PNG of any bit depth and colour type, optionally
// interlaced (Adam7, which Go's encoder never writes), streamed row by row
// so a 50-megapixel image needs no full-size buffer to make.
type PNG struct {
	Width, Height int
	Depth         int // 8 or 16
	Colour        int // 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA
	Interlaced    bool
	// Sample gives each sample's value at full scale (0–65535) from its
	// position and channel; nil means a flat mid-grey, half transparent
	// where there is alpha.
	Sample func(x, y, c int) uint16
}

func (p PNG) channels() int {
	switch p.Colour {
	case 2:
		return 3
	case 4:
		return 2
	case 6:
		return 4
	}
	return 1
}

// adam7 is each pass's start and step, x then y.
var adam7 = [7][4]int{{0, 8, 0, 8}, {4, 8, 0, 8}, {0, 4, 4, 8}, {2, 4, 0, 4}, {0, 2, 2, 4}, {1, 2, 0, 2}, {0, 1, 1, 2}}

// Bytes encodes the file.
func (p PNG) Bytes() ([]byte, error) {
	if p.Depth != 8 && p.Depth != 16 {
		return nil, errors.New("hostile: PNG depth must be 8 or 16")
	}
	sample := p.Sample
	if sample == nil {
		ch := p.channels()
		sample = func(_, _, c int) uint16 {
			if (ch == 2 || ch == 4) && c == ch-1 {
				return 0x8000
			}
			return 0x7F7F
		}
	}
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	passes := [][4]int{{0, 1, 0, 1}}
	if p.Interlaced {
		passes = adam7[:]
	}
	ch, bps := p.channels(), p.Depth/8
	row := make([]byte, 1+p.Width*ch*bps)
	for _, ps := range passes {
		for y := ps[2]; y < p.Height; y += ps[3] {
			n := 1
			for x := ps[0]; x < p.Width; x += ps[1] {
				for c := range ch {
					v := sample(x, y, c)
					if bps == 2 {
						row[n], row[n+1] = byte(v>>8), byte(v)
					} else {
						row[n] = byte(v >> 8)
					}
					n += bps
				}
			}
			if n == 1 {
				break // an empty pass (image narrower than its first column)
			}
			if _, err := zw.Write(row[:n]); err != nil {
				return nil, err
			}
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	out := Start(p.Width, p.Height, p.Depth, p.Colour, p.Interlaced)
	out = AppendChunk(out, "IDAT", z.Bytes())
	return AppendChunk(out, "IEND", nil), nil
}

// Start is a PNG's signature and IHDR chunk.
func Start(w, h, depth, colour int, interlaced bool) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	interlace := byte(0)
	if interlaced {
		interlace = 1
	}
	ihdr = append(ihdr, byte(depth), byte(colour), 0, 0, interlace)
	return AppendChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
}

// AppendChunk appends a PNG chunk with its length and CRC.
func AppendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// WithChunk inserts a chunk right after IHDR.
func WithChunk(png []byte, typ string, data []byte) []byte {
	at := 8 + 8 + 13 + 4
	out := append([]byte{}, png[:at]...)
	out = AppendChunk(out, typ, data)
	return append(out, png[at:]...)
}

// WithBadCRC returns the PNG with the CRC of its first chunk of type typ
// flipped.
func WithBadCRC(png []byte, typ string) ([]byte, error) {
	for i := 8; i+12 <= len(png); {
		n := int(binary.BigEndian.Uint32(png[i:]))
		end := i + 12 + n
		if end > len(png) {
			break
		}
		if string(png[i+4:i+8]) == typ {
			out := append([]byte{}, png...)
			out[end-1] ^= 0xFF
			return out, nil
		}
		i = end
	}
	return nil, errors.New("hostile: no " + typ + " chunk")
}
