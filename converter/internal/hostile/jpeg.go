// Package hostile generates the inputs that probe the converter's budget:
// small files that are valid, or nearly so, and expensive or unusual to
// convert (progressive JPEGs with hundreds of scans, 16-bit interlaced PNGs,
// GIF frames offset on a large screen, animated WebP, JPEG processes the
// converter does not decode). Everything is generated, so tests make their
// inputs at run time and `go run ./converter/cmd/hostile` writes them to
// files for manual runs.
package hostile

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Process is a JPEG coding process (the frame header's SOF marker).
type Process uint8

// The processes JPEG writes.
const (
	Baseline     Process = iota // SOF0, 8-bit Huffman sequential
	Extended12                  // SOF1 with 12-bit samples
	Progressive                 // SOF2, 8-bit Huffman progressive
	Lossless                    // SOF3, lossless (predictive) Huffman
	Hierarchical                // DHP then a SOF0 frame
)

// JPEG describes a flat mid-grey JPEG written by hand with Huffman coding:
// every DCT coefficient (every lossless difference) is zero, so even a
// 50-megapixel image takes a few hundred KB, and the decoder still visits
// every block of every scan.
type JPEG struct {
	Width, Height int
	Process       Process
	Gray          bool // one component; else three (YCbCr)
	Sampling444   bool // chroma at full resolution; else 4:2:0
	// ExtraScans repeats a progressive scan this many times: the last AC
	// scan (luma's, the largest), or with RepeatDC the interleaved DC scan
	// (every component).
	ExtraScans int
	RepeatDC   bool
}

type jpegComp struct{ h, v int }

func (j JPEG) comps() []jpegComp {
	switch {
	case j.Gray:
		return []jpegComp{{1, 1}}
	case j.Sampling444 || j.Process == Lossless:
		return []jpegComp{{1, 1}, {1, 1}, {1, 1}}
	}
	return []jpegComp{{2, 2}, {1, 1}, {1, 1}}
}

// Bytes writes the file.
func (j JPEG) Bytes() []byte {
	comps := j.comps()
	b := []byte{0xFF, 0xD8}
	precision := 8
	sof := byte(0xC0)
	switch j.Process {
	case Extended12:
		precision, sof = 12, 0xC1
	case Progressive:
		sof = 0xC2
	case Lossless:
		sof = 0xC3
	}
	if j.Process != Lossless {
		b = appendDQT(b, precision)
	}
	if j.Process == Hierarchical {
		b = appendFrame(b, 0xDE, precision, j.Width, j.Height, comps)
	}
	b = appendFrame(b, sof, precision, j.Width, j.Height, comps)
	switch j.Process {
	case Baseline, Extended12, Hierarchical:
		b = appendDHT(b, 0, []byte{0})
		b = appendDHT(b, 0x10, []byte{0}) // EOB
		b = appendSOS(b, len(comps), 0, 63, 0)
		// Per block: DC difference category 0, then EOB: two 1-bit codes.
		b = append(b, zeroBits(2*mcuBlocks(j.Width, j.Height, comps))...)
	case Lossless:
		b = appendDHT(b, 0, []byte{0})
		b = appendSOS(b, len(comps), 1, 0, 0) // predictor 1 (left)
		b = append(b, zeroBits(j.Width*j.Height*len(comps))...)
	case Progressive:
		b = j.appendProgressive(b, comps)
	}
	return append(b, 0xFF, 0xD9)
}

func (j JPEG) appendProgressive(b []byte, comps []jpegComp) []byte {
	b = appendDHT(b, 0, []byte{0})
	// EOBn for n = 0..14, every run of empty blocks a 4-bit code.
	eob := make([]byte, 15)
	for n := range eob {
		eob[n] = byte(n << 4)
	}
	b = appendDHTLengths(b, 0x10, 4, eob)
	dc := appendSOS(nil, len(comps), 0, 0, 0)
	dc = append(dc, zeroBits(mcuBlocks(j.Width, j.Height, comps))...)
	b = append(b, dc...)
	var last []byte
	hmax, vmax := maxSampling(comps)
	for i, c := range slices.Backward(comps) {
		w := ceilDiv(ceilDiv(j.Width*c.h, hmax), 8)
		h := ceilDiv(ceilDiv(j.Height*c.v, vmax), 8)
		last = appendSOSOne(nil, i+1, 1, 63)
		last = append(last, eobRuns(w*h)...)
		b = append(b, last...)
	}
	rep := last
	if j.RepeatDC {
		rep = dc
	}
	for range j.ExtraScans {
		b = append(b, rep...)
	}
	return b
}

func maxSampling(comps []jpegComp) (int, int) {
	h, v := 1, 1
	for _, c := range comps {
		h, v = max(h, c.h), max(v, c.v)
	}
	return h, v
}

// mcuBlocks is the number of blocks in an interleaved scan (or, for one
// component, a non-interleaved one) over the whole image.
func mcuBlocks(w, h int, comps []jpegComp) int {
	if len(comps) == 1 {
		return ceilDiv(w, 8) * ceilDiv(h, 8)
	}
	hmax, vmax := maxSampling(comps)
	per := 0
	for _, c := range comps {
		per += c.h * c.v
	}
	return ceilDiv(w, 8*hmax) * ceilDiv(h, 8*vmax) * per
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// zeroBits is n zero bits padded with ones to a whole byte: n 1-bit codes
// "0". It never holds 0xFF, so needs no stuffing.
func zeroBits(n int) []byte {
	out := make([]byte, (n+7)/8)
	if r := n % 8; r != 0 {
		out[len(out)-1] = byte(1<<(8-r)) - 1
	}
	return out
}

// eobRuns codes n empty blocks as end-of-band runs of at most 32767.
func eobRuns(n int) []byte {
	var w bitWriter
	for n > 0 {
		run := min(n, 32767)
		k := 0
		for run>>(k+1) != 0 {
			k++
		}
		w.write(uint32(k), 4)
		w.write(uint32(run-1<<k), k)
		n -= run
	}
	return w.flush()
}

func appendSegment(b []byte, marker byte, body []byte) []byte {
	b = append(b, 0xFF, marker)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)+2))
	return append(b, body...)
}

func appendDQT(b []byte, precision int) []byte {
	body := []byte{0}
	if precision > 8 {
		body[0] = 0x10
		for range 64 {
			body = append(body, 0, 1)
		}
	} else {
		for range 64 {
			body = append(body, 1)
		}
	}
	return appendSegment(b, 0xDB, body)
}

func appendFrame(b []byte, marker byte, precision, w, h int, comps []jpegComp) []byte {
	if w > 0xFFFF || h > 0xFFFF {
		panic(fmt.Sprintf("hostile: %dx%d does not fit a JPEG frame header", w, h))
	}
	body := []byte{byte(precision), byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(comps))}
	for i, c := range comps {
		body = append(body, byte(i+1), byte(c.h<<4|c.v), 0)
	}
	return appendSegment(b, marker, body)
}

// appendDHT writes a table whose symbols all have 1-bit codes (at most
// one: the code "0").
func appendDHT(b []byte, class byte, symbols []byte) []byte {
	return appendDHTLengths(b, class, 1, symbols)
}

func appendDHTLengths(b []byte, class byte, length int, symbols []byte) []byte {
	body := make([]byte, 17, 17+len(symbols))
	body[0] = class
	body[length] = byte(len(symbols))
	return appendSegment(b, 0xC4, append(body, symbols...))
}

// appendSOS starts a scan of the first n components, all on table 0.
func appendSOS(b []byte, n, ss, se, al int) []byte {
	body := []byte{byte(n)}
	for i := range n {
		body = append(body, byte(i+1), 0)
	}
	body = append(body, byte(ss), byte(se), byte(al))
	return appendSegment(b, 0xDA, body)
}

func appendSOSOne(b []byte, comp, ss, se int) []byte {
	return appendSegment(b, 0xDA, []byte{1, byte(comp), 0, byte(ss), byte(se), 0})
}

// bitWriter packs bits MSB first with JPEG's byte stuffing (0xFF 0x00).
type bitWriter struct {
	out  []byte
	acc  uint32
	bits int
}

func (w *bitWriter) write(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>i)&1
		w.bits++
		if w.bits == 8 {
			w.emit(byte(w.acc))
			w.acc, w.bits = 0, 0
		}
	}
}

func (w *bitWriter) emit(c byte) {
	w.out = append(w.out, c)
	if c == 0xFF {
		w.out = append(w.out, 0)
	}
}

func (w *bitWriter) flush() []byte {
	if w.bits > 0 {
		w.write(1<<(8-w.bits)-1, 8-w.bits)
	}
	return w.out
}
