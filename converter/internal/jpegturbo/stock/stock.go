// Package stock decodes a JPEG twice, with the converter's libjpeg-turbo
// (the static one .deps/ holds, built with the converter's patches) and with
// Debian's own shared build of the same release, opened at run time: what
// the tests compare to show that the patches change no pixel and no
// outcome. Tests alone import it.
package stock

/*
#cgo amd64 CFLAGS: -I${SRCDIR}/../../../../.deps/libjpeg-turbo-amd64/include
#cgo arm64 CFLAGS: -I${SRCDIR}/../../../../.deps/libjpeg-turbo-arm64/include
#cgo amd64 LDFLAGS: ${SRCDIR}/../../../../.deps/libjpeg-turbo-amd64/lib/libjpeg.a -ldl
#cgo arm64 LDFLAGS: ${SRCDIR}/../../../../.deps/libjpeg-turbo-arm64/lib/libjpeg.a -ldl
#include <malloc.h>
#include <stdlib.h>
#include "stock.h"

static void keep_freed(void) {
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
*/
import "C"

import (
	"errors"
	"sync"
	"unsafe"
)

// Library is Debian's shared libjpeg-turbo (package libjpeg62-turbo), by
// the name the dynamic loader finds it under.
const Library = "libjpeg.so.62"

// Image is a decoded JPEG: packed samples, Components per pixel.
type Image struct {
	Pix                       []byte
	Width, Height, Components int
	// Band is what DecodeLinkedBands did: 1 decoded by row bands, 0 not a
	// progressive file (decoded as usual), -1 declined by the band decoder
	// and decoded again without it.
	Band int
	// HeapAfterStart is what the C heap in use (the whole process's) grew
	// by from before the decode to once decompression had started, when a
	// decoder that keeps whole-image coefficients has allocated them.
	HeapAfterStart int64
}

// KeepFreedMemory makes the C allocator keep what is freed for the next
// allocation, as a warm converter does (converter.KeepFreedMemory): a
// benchmark's repeated decodes then time the decoder, not the kernel's
// first touch of fresh pages.
func KeepFreedMemory() { C.keep_freed() }

// DecodeLinked decodes src at 1/denom scale with the linked libjpeg-turbo.
func DecodeLinked(src []byte, denom int) (Image, error) { return decode(0, false, src, denom) }

// DecodeLinkedBands decodes src at 1/denom scale with the linked
// libjpeg-turbo by row bands, as the converter does (jpeg_imgcells_band).
func DecodeLinkedBands(src []byte, denom int) (Image, error) { return decode(2, false, src, denom) }

// DecodeLinkedBandsLenient is DecodeLinkedBands for which a file that ends
// early is decoded as libjpeg does by default (the rest from zeros), not an
// error.
func DecodeLinkedBandsLenient(src []byte, denom int) (Image, error) {
	return decode(2, true, src, denom)
}

// DecodeStockLenient is DecodeStock with the same leniency.
func DecodeStockLenient(src []byte, denom int) (Image, error) { return decode(1, true, src, denom) }

// DecodeStock decodes src at 1/denom scale with Debian's shared build.
func DecodeStock(src []byte, denom int) (Image, error) { return decode(1, false, src, denom) }

// loadStock opens Debian's library, once for the process.
var loadStock = sync.OnceValue(func() error {
	path := C.CString(Library)
	defer C.free(unsafe.Pointer(path))
	msg := make([]byte, 256)
	if C.sd_load(path, (*C.char)(unsafe.Pointer(&msg[0])), C.size_t(len(msg))) != 0 {
		return errors.New(C.GoString((*C.char)(unsafe.Pointer(&msg[0]))))
	}
	return nil
})

// decode decodes with the linked library (which 0), Debian's (1) or the
// linked one by row bands (2); lenient, a truncated file is not an error.
func decode(which int, lenient bool, src []byte, denom int) (Image, error) {
	if len(src) == 0 {
		return Image{}, errors.New("empty input")
	}
	if which == 1 {
		if err := loadStock(); err != nil {
			return Image{}, err
		}
	}
	csrc := C.CBytes(src)
	defer C.free(csrc)
	var out *C.uchar
	var w, h, comps, band C.int
	var heap C.size_t
	msg := make([]byte, 256)
	lenientC := C.int(0)
	if lenient {
		lenientC = 1
	}
	rc := C.sd_decode(C.int(which), lenientC, (*C.uchar)(csrc), C.size_t(len(src)), C.int(denom),
		&out, &w, &h, &comps, &band, &heap, (*C.char)(unsafe.Pointer(&msg[0])), C.size_t(len(msg)))
	if rc != 0 {
		return Image{}, errors.New(C.GoString((*C.char)(unsafe.Pointer(&msg[0]))))
	}
	defer C.free(unsafe.Pointer(out))
	n := int(w) * int(h) * int(comps)
	return Image{Pix: C.GoBytes(unsafe.Pointer(out), C.int(n)), Width: int(w), Height: int(h), Components: int(comps), Band: int(band), HeapAfterStart: int64(heap)}, nil
}

// EncodeProgressive encodes packed RGB as a progressive JPEG (libjpeg's
// default scan script) with the linked library.
func EncodeProgressive(rgb []byte, w, h, quality int) ([]byte, error) {
	if w <= 0 || h <= 0 || len(rgb) != w*h*3 {
		return nil, errors.New("bad raster")
	}
	crgb := C.CBytes(rgb)
	defer C.free(crgb)
	var out *C.uchar
	var n C.ulong
	if C.sd_encode_progressive((*C.uchar)(crgb), C.int(w), C.int(h), C.int(quality), &out, &n) != 0 {
		return nil, errors.New("encoding failed")
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// DecodeQuantized decodes src with the linked library to 64 colours by
// libjpeg's two-pass quantizer (a second pass over the decoded pixels it
// keeps), asking for row bands when bands is set: the colour indices, one byte a pixel.
func DecodeQuantized(src []byte, bands bool) ([]byte, error) {
	csrc := C.CBytes(src)
	defer C.free(csrc)
	var out *C.uchar
	var n C.size_t
	b := C.int(0)
	if bands {
		b = 1
	}
	if C.sd_decode_quantized(b, (*C.uchar)(csrc), C.size_t(len(src)), &out, &n) != 0 {
		return nil, errors.New("decoding failed")
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}
