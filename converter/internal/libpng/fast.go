package libpng

/*
#cgo CFLAGS: -O3
#cgo LDFLAGS: -ldeflate
#include <stdlib.h>
#include "libpng.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"imgcells/converter/internal/abort"
)

// decodeFast decodes with libpng reading the header (every chunk before
// the image data: its checks, palette, transparency and colour chunks are
// libpng's own), then takes over the image data itself: libdeflate's
// whole-buffer inflate (several times faster than zlib's streaming one,
// which dominates libpng's time), row filters reversed a pixel at a time
// in small vectors, and libpng's conversions to 8-bit RGB(A). It gives
// exactly libpng's pixels, for every bit depth, colour type and
// interlacing. done is false when the image is not one it takes (libpng
// would convert its gamma) or anything in the image data is amiss, a bad
// IDAT CRC included: Decode then hands the file to libpng, which decides.
// Errors in the header are libpng's and final.
func decodeFast(ctx context.Context, src []byte, maxPixels int64, alloc func(n int) []byte) (img *Image, done bool, err error) {
	var pin runtime.Pinner
	pin.Pin(&src[0])
	defer pin.Unpin()
	d := C.lp_new()
	if d == nil {
		return nil, true, errors.New("libpng: out of memory")
	}
	defer C.lp_free(d)
	var info C.lp_info
	if C.lp_begin(d, (*C.uchar)(unsafe.Pointer(&src[0])), C.size_t(len(src)), &info) != 0 {
		return nil, true, fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(C.lp_message(d)))
	}
	w, h := int(info.width), int(info.height)
	if w <= 0 || h <= 0 || (maxPixels > 0 && int64(w)*int64(h) > maxPixels) {
		return nil, true, fmt.Errorf("%w: %dx%d is out of bounds", ErrCorrupt, w, h)
	}
	var fi C.fp_info
	if C.lp_fast_info(d, &fi) != 0 {
		return nil, false, nil
	}
	out, raw, free := buffers(int(fi.out_len), int(fi.raw_len), fi.interlaced != 0, alloc)
	if raw == nil {
		return nil, true, errors.New("libpng: out of memory")
	}
	defer free()
	stop := abort.Watch(ctx)
	defer stop.Release()
	switch C.fp_decode(&fi, (*C.uchar)(unsafe.Pointer(&raw[0])), (*C.uchar)(unsafe.Pointer(&out[0])), (*C.int32_t)(stop.Ptr())) {
	case 0:
	case 1:
		return nil, true, fmt.Errorf("%w: %w", ErrAborted, context.Cause(ctx))
	default:
		return nil, false, nil
	}
	return &Image{Pix: out, Width: w, Height: h, Components: int(fi.out_ch)}, true, nil
}

// buffers gives the output and the inflated data room. Rows are read
// from raw in order, each before its output row is written, and an output
// row never reaches past its raw row's end when raw is the tail of one
// buffer of the larger size: so it is, but for interlaced images, whose
// passes write rows all over the output; their raw data is C memory,
// returned as soon as the pixels are out (free).
func buffers(outLen, rawLen int, interlaced bool, alloc func(n int) []byte) (out, raw []byte, free func()) {
	if interlaced {
		p := C.malloc(C.size_t(rawLen))
		if p == nil {
			return nil, nil, nil
		}
		return alloc(outLen), unsafe.Slice((*byte)(p), rawLen), func() { C.free(p) }
	}
	b := alloc(max(outLen, rawLen))
	return b[:outLen:outLen], b[len(b)-rawLen:], func() {}
}
