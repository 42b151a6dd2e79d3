package libpng

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"math/rand/v2"

	"imgcells/converter/internal/hostile"
)

// pngSpec describes a PNG of any layout the format allows, for comparing
// the fast path with libpng: its image data is raw filtered rows, random
// unless given, so every filter type meets every kind of pixel.
type pngSpec struct {
	w, h, depth, colour int
	interlaced          bool
	plte, trns          []byte      // written when not nil (PLTE first)
	chunks              [][2]string // ancillary chunks before IDAT: type, data
	raw                 []byte      // the filtered image data; nil: random
	idats               int         // the IDAT chunks to split the stream into; 0: 1
}

var adam7Passes = [7][4]int{{0, 8, 0, 8}, {4, 8, 0, 8}, {0, 4, 4, 8}, {2, 4, 0, 4}, {0, 2, 2, 4}, {1, 2, 0, 2}, {0, 1, 1, 2}}

func (s pngSpec) channels() int {
	return map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[s.colour]
}

// rows lists every (pass) row's length in bytes, filter byte excluded.
func (s pngSpec) rows() []int {
	passes := [][4]int{{0, 1, 0, 1}}
	if s.interlaced {
		passes = adam7Passes[:]
	}
	var rows []int
	for _, p := range passes {
		w := (s.w - p[0] + p[1] - 1) / p[1]
		h := (s.h - p[2] + p[3] - 1) / p[3]
		if w <= 0 || h <= 0 {
			continue
		}
		for range h {
			rows = append(rows, (w*s.channels()*s.depth+7)/8)
		}
	}
	return rows
}

// randomRaw fills every row with bytes from pick and a random filter type.
func (s pngSpec) randomRaw(r *rand.Rand, pick func() byte) []byte {
	var raw []byte
	for _, n := range s.rows() {
		raw = append(raw, byte(r.IntN(5)))
		for range n {
			raw = append(raw, pick())
		}
	}
	return raw
}

func (s pngSpec) bytes(r *rand.Rand) []byte {
	raw := s.raw
	if raw == nil {
		raw = s.randomRaw(r, func() byte { return byte(r.Uint32()) })
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	out := hostile.Start(s.w, s.h, s.depth, s.colour, s.interlaced)
	for _, c := range s.chunks {
		out = hostile.AppendChunk(out, c[0], []byte(c[1]))
	}
	if s.plte != nil {
		out = hostile.AppendChunk(out, "PLTE", s.plte)
	}
	if s.trns != nil {
		out = hostile.AppendChunk(out, "tRNS", s.trns)
	}
	data, parts := z.Bytes(), max(s.idats, 1)
	for i := range parts {
		out = hostile.AppendChunk(out, "IDAT", data[i*len(data)/parts:(i+1)*len(data)/parts])
	}
	return hostile.AppendChunk(out, "IEND", nil)
}

// fixCRCs rewrites every whole chunk's CRC, so a mutated file reaches
// the decoders' handling of what the chunks say.
func fixCRCs(png []byte) []byte {
	out := append([]byte{}, png...)
	for i := 8; i+12 <= len(out); {
		n := int(binary.BigEndian.Uint32(out[i:]))
		if n < 0 || n > len(out)-i-12 {
			break
		}
		hostileCRC(out[i : i+12+n])
		i += 12 + n
	}
	return out
}

func hostileCRC(chunk []byte) {
	n := len(chunk) - 12
	fixed := hostile.AppendChunk(nil, string(chunk[4:8]), chunk[8:8+n])
	copy(chunk, fixed)
}
