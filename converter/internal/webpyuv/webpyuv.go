// Package webpyuv encodes a still lossy WebP from planes already in VP8's
// YUV 4:2:0, skipping libwebp's RGB import (its colour conversion and
// chroma averaging). Like package webpanim it carries no libwebp of its own:
// it calls the libwebp 1.4.0 that github.com/chai2010/webp compiles into the
// binary, through that version's public headers in ../webpanim/include
// (which webpanim's tests hold to the module's).
package webpyuv

/*
#cgo CFLAGS: -O2 -I${SRCDIR}/../webpanim/include
#include <stdlib.h>
#include "webpyuv.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	_ "github.com/chai2010/webp" // links libwebp
)

// Picture is a w×h image in VP8's planes: BT.601 limited-range ("studio
// swing") Y, W×H samples in rows of YStride bytes; U and V (Cb, Cr) at
// ceil(W/2)×ceil(H/2), each sample centred on the 2×2 luma samples it
// covers, in rows of UVStride bytes.
type Picture struct {
	Y, U, V           []byte
	W, H              int
	YStride, UVStride int
}

// Encode writes p as a lossy WebP at quality (0–100) with the settings of
// libwebp's simple API (WebPEncodeRGB): the default preset, method 4.
func Encode(p Picture, quality float32) ([]byte, error) {
	cw, ch := (p.W+1)/2, (p.H+1)/2
	if p.W <= 0 || p.H <= 0 || p.YStride < p.W || p.UVStride < cw ||
		len(p.Y) < (p.H-1)*p.YStride+p.W || len(p.U) < (ch-1)*p.UVStride+cw || len(p.V) < (ch-1)*p.UVStride+cw {
		return nil, fmt.Errorf("webpyuv: planes do not hold a %dx%d picture", p.W, p.H)
	}
	var out *C.uint8_t
	var n C.size_t
	rc := C.wy_encode((*C.uint8_t)(unsafe.Pointer(&p.Y[0])), C.int(p.YStride),
		(*C.uint8_t)(unsafe.Pointer(&p.U[0])), (*C.uint8_t)(unsafe.Pointer(&p.V[0])), C.int(p.UVStride),
		C.int(p.W), C.int(p.H), C.float(quality), &out, &n)
	if rc != 0 {
		return nil, fmt.Errorf("webpyuv: libwebp encoder error %d", int(rc))
	}
	defer C.wy_free(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}
