// Package libpng is a minimal cgo binding to libpng's row-by-row read API
// (Debian's libpng-dev): PNG to packed 8-bit sRGB RGB or straight RGBA,
// whatever the source's depth, colour type, palette or interlacing, written
// straight into one output buffer. libpng reads every header; the image
// data of every kind but one libpng converts to another gamma takes a
// faster path through libdeflate (libdeflate-dev) to exactly libpng's
// pixels. It links -lpng16 -lz -ldeflate, which resolve to the static
// archives in static builds.
package libpng

/*
#cgo CFLAGS: -I${SRCDIR}/../abort
#cgo LDFLAGS: -lpng16 -lz -lm
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

// ErrCorrupt wraps every decoding failure; the message is libpng's.
var ErrCorrupt = errors.New("corrupt PNG")

// ErrAborted is returned, wrapping the context's error, when the context
// ended before decoding finished.
var ErrAborted = errors.New("libpng: stopped")

// Image is decoded pixels: packed rows, 3 bytes per pixel (RGB) or 4 (RGBA,
// straight alpha) when the source can be transparent.
type Image struct {
	Pix           []byte
	Width, Height int
	Components    int
}

// Decode decodes a whole PNG. maxPixels bounds the allocation: the caller
// has checked the header already, this is a second guard. A bad CRC in a
// chunk that carries the image (IHDR, PLTE, IDAT) refuses it; one in IEND
// or an ancillary chunk is ignored, on either path (libpng's rule).
//
// alloc, when not nil, provides the pixel buffer (old contents are
// overwritten). Decoding stops with ErrAborted between rows once ctx ends.
func Decode(ctx context.Context, src []byte, maxPixels int64, alloc func(n int) []byte) (*Image, error) {
	if len(src) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrCorrupt)
	}
	if alloc == nil {
		alloc = func(n int) []byte { return make([]byte, n) }
	}
	if img, done, err := decodeFast(ctx, src, maxPixels, alloc); done {
		return img, err
	}
	return decodeLibpng(ctx, src, maxPixels, alloc)
}

func decodeLibpng(ctx context.Context, src []byte, maxPixels int64, alloc func(n int) []byte) (*Image, error) {
	var pin runtime.Pinner
	pin.Pin(&src[0])
	defer pin.Unpin()
	d := C.lp_new()
	if d == nil {
		return nil, errors.New("libpng: out of memory")
	}
	defer C.lp_free(d)
	var info C.lp_info
	if C.lp_begin(d, (*C.uchar)(unsafe.Pointer(&src[0])), C.size_t(len(src)), &info) != 0 {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(C.lp_message(d)))
	}
	w, h := int(info.width), int(info.height)
	if w <= 0 || h <= 0 || (maxPixels > 0 && int64(w)*int64(h) > maxPixels) {
		return nil, fmt.Errorf("%w: %dx%d is out of bounds", ErrCorrupt, w, h)
	}
	n := 3
	if info.alpha != 0 {
		n = 4
	}
	pix := alloc(w * h * n)
	stop := abort.Watch(ctx)
	defer stop.Release()
	switch C.lp_finish(d, (*C.uchar)(unsafe.Pointer(&pix[0])), info.passes, (*C.int32_t)(stop.Ptr())) {
	case 0:
	case 1:
		return nil, fmt.Errorf("%w: %w", ErrAborted, context.Cause(ctx))
	default:
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(C.lp_message(d)))
	}
	return &Image{Pix: pix, Width: w, Height: h, Components: n}, nil
}
