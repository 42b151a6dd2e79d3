package converter

/*
#cgo CFLAGS: -O3
#include "resample.h"
*/
import "C"

import (
	"math"
	"unsafe"
)

// The resizer's inner loops in C, with SSE2 (amd64) and NEON (arm64) forms
// of the Lanczos passes that give the plain loops' bytes exactly (16-bit
// samples times 16-bit weights, 32-bit sums). The Go side checks the bounds
// once per call; resize.go keeps the geometry, the weights and the parallel
// split.

func (t *taps) c() C.rs_taps {
	return C.rs_taps{
		start: (*C.int32_t)(unsafe.Pointer(&t.start[0])),
		n:     (*C.int32_t)(unsafe.Pointer(&t.n[0])),
		off:   (*C.int32_t)(unsafe.Pointer(&t.off[0])),
		w:     (*C.int32_t)(unsafe.Pointer(&t.w[0])),
		pairs: (*C.int32_t)(unsafe.Pointer(&t.pairs[0])),
		poff:  (*C.int32_t)(unsafe.Pointer(&t.poff[0])),
	}
}

// hpassRows filters rows [y0, y1) of in (rows of inStride bytes) into out.
func hpassRows(in []byte, inStride int, out []byte, t *taps, ch, y0, y1 int) {
	if y0 >= y1 {
		return
	}
	outN := len(t.start)
	_ = in[(y1-1)*inStride+inStride-1]
	_ = out[y1*outN*ch-1]
	C.rs_hpass((*C.uint8_t)(unsafe.Pointer(&in[0])), C.long(len(in)), C.int(inStride),
		(*C.uint8_t)(unsafe.Pointer(&out[0])), C.int(outN), C.int(ch), C.int(y0), C.int(y1), t.c())
}

// taps1 are taps laid out for rs_hpass1: each output's weights, scaled by
// a range map, as 16-bit values zero-padded to groups·8, and the offset
// (with the rounding) to add to each sum.
type taps1 struct {
	start, n []int32
	w        []int16
	groups   int
	add      int32
}

// rangeMap is an affine map of sample values, v·scale + offset, that the
// plane pass applies before it rounds.
type rangeMap struct{ scale, offset float64 }

// forPlane lays t out for rs_hpass1, its starts moved left by col0 and its
// results mapped by m. The scaled weights sum to the scale's share of
// weightOne, the rounding leftover going to the largest, as in makeTaps.
func (t *taps) forPlane(col0 int, m rangeMap) taps1 {
	g := int32(1)
	for _, n := range t.n {
		g = max(g, (n+7)/8)
	}
	p := taps1{start: make([]int32, len(t.start)), n: t.n, w: make([]int16, len(t.start)*int(g)*8), groups: int(g),
		add: int32(math.Round(m.offset*weightOne)) + weightOne/2}
	want := int32(math.Round(m.scale * weightOne))
	for i := range t.start {
		p.start[i] = t.start[i] - int32(col0)
		ws := t.w[t.off[i] : t.off[i]+t.n[i]]
		dst := p.w[i*int(g)*8:]
		total, big := int32(0), 0
		for k, v := range ws {
			q := int32(math.Round(float64(v) * m.scale))
			dst[k] = int16(q)
			total += q
			if v > ws[big] {
				big = k
			}
		}
		dst[big] += int16(want - total)
	}
	return p
}

// hpass1Rows filters rows [y0, y1) of a plane in (rows of inStride bytes)
// into rows of outStride bytes of out.
func hpass1Rows(in []byte, inStride int, out []byte, outStride int, t *taps1, y0, y1 int) {
	if y0 >= y1 {
		return
	}
	outN := len(t.start)
	for i := range t.start {
		if t.start[i] < 0 || int(t.start[i]+t.n[i]) > inStride {
			panic("resize: plane taps outside the row")
		}
	}
	_ = in[(y1-1)*inStride+inStride-1]
	_ = out[(y1-1)*outStride+outN-1]
	C.rs_hpass1((*C.uint8_t)(unsafe.Pointer(&in[0])), C.long(len(in)), C.int(inStride),
		(*C.uint8_t)(unsafe.Pointer(&out[0])), C.int(outStride), C.int(outN), C.int(y0), C.int(y1),
		C.rs_taps1{
			start:  (*C.int32_t)(unsafe.Pointer(&t.start[0])),
			n:      (*C.int32_t)(unsafe.Pointer(&t.n[0])),
			w:      (*C.int16_t)(unsafe.Pointer(&t.w[0])),
			groups: C.int(t.groups),
		}, C.int32_t(t.add))
}

// vpassRows computes output rows [y0, y1) of rowBytes each from the rows of
// src, stride bytes apart, which the taps index.
func vpassRows(src []byte, stride, rowBytes int, out []byte, t *taps, y0, y1 int, acc []int32) {
	if y0 >= y1 {
		return
	}
	last := 0
	for y := y0; y < y1; y++ {
		last = max(last, int(t.start[y]+t.n[y])-1)
	}
	_ = src[last*stride+rowBytes-1]
	_ = out[y1*rowBytes-1]
	_ = acc[rowBytes-1]
	C.rs_vpass((*C.uint8_t)(unsafe.Pointer(&src[0])), C.int(stride), C.int(rowBytes),
		(*C.uint8_t)(unsafe.Pointer(&out[0])), C.int(y0), C.int(y1), t.c(),
		(*C.int32_t)(unsafe.Pointer(&acc[0])))
}

// boxRows averages kx×ky blocks of src (rows of stride bytes, starting at
// the crop's corner) into rows [y0, y1) of out, outN pixels of ch bytes.
func boxRows(src []byte, stride, outN, ch, kx, ky int, out []byte, y0, y1 int) {
	if y0 >= y1 {
		return
	}
	_ = src[((y1*ky)-1)*stride+outN*kx*ch-1]
	_ = out[y1*outN*ch-1]
	acc := make([]uint32, outN*kx*ch)
	C.rs_box((*C.uint8_t)(unsafe.Pointer(&src[0])), C.int(stride), C.int(outN), C.int(ch), C.int(kx), C.int(ky),
		(*C.uint8_t)(unsafe.Pointer(&out[0])), C.int(y0), C.int(y1), (*C.uint32_t)(unsafe.Pointer(&acc[0])))
}
