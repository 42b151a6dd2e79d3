// Package libpng is a minimal cgo binding to libpng's simplified read API
// (Debian's libpng-dev): PNG to packed 8-bit sRGB RGB or straight RGBA,
// whatever the source's depth, colour type or palette. Plain 8-bit RGB and
// RGBA photos take a faster path through libdeflate (libdeflate-dev). It
// links -lpng16 -lz -ldeflate, which resolve to the static archives in
// static builds.
package libpng

/*
#cgo LDFLAGS: -lpng16 -lz -lm
#include <stdlib.h>
#include "libpng.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"
)

// ErrCorrupt wraps every decoding failure; the message is libpng's.
var ErrCorrupt = errors.New("corrupt PNG")

// Image is decoded pixels: packed rows, 3 bytes per pixel (RGB) or 4 (RGBA,
// straight alpha) when the source can be transparent.
type Image struct {
	Pix           []byte
	Width, Height int
	Components    int
}

// Decode decodes a whole PNG. maxPixels bounds the allocation: the caller
// has checked the header already, this is a second guard.
//
// alloc, when not nil, provides the pixel buffer (old contents are
// overwritten).
func Decode(src []byte, maxPixels int64, alloc func(n int) []byte) (*Image, error) {
	if len(src) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrCorrupt)
	}
	if alloc == nil {
		alloc = func(n int) []byte { return make([]byte, n) }
	}
	if img, ok := decodeFast(src, maxPixels, alloc); ok {
		return img, nil
	}
	return decodeLibpng(src, maxPixels, alloc)
}

func decodeLibpng(src []byte, maxPixels int64, alloc func(n int) []byte) (*Image, error) {
	var pin runtime.Pinner
	pin.Pin(&src[0])
	defer pin.Unpin()
	var li C.lp_image
	defer C.lp_free(&li)
	var errbuf [128]C.char
	if C.lp_begin(&li, (*C.uchar)(unsafe.Pointer(&src[0])), C.size_t(len(src)), &errbuf[0], C.size_t(len(errbuf))) != 0 {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(&errbuf[0]))
	}
	w, h := int(li.width), int(li.height)
	if w <= 0 || h <= 0 || (maxPixels > 0 && int64(w)*int64(h) > maxPixels) {
		return nil, fmt.Errorf("%w: %dx%d is out of bounds", ErrCorrupt, w, h)
	}
	n := 3
	if li.alpha != 0 {
		n = 4
	}
	pix := alloc(w * h * n)
	if C.lp_finish(&li, (*C.uchar)(unsafe.Pointer(&pix[0])), &errbuf[0], C.size_t(len(errbuf))) != 0 {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(&errbuf[0]))
	}
	return &Image{Pix: pix, Width: w, Height: h, Components: n}, nil
}
