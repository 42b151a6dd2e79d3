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
}

// KeepFreedMemory makes the C allocator keep what is freed for the next
// allocation, as a warm converter does (converter.KeepFreedMemory): a
// benchmark's repeated decodes then time the decoder, not the kernel's
// first touch of fresh pages.
func KeepFreedMemory() { C.keep_freed() }

// DecodeLinked decodes src at 1/denom scale with the linked libjpeg-turbo.
func DecodeLinked(src []byte, denom int) (Image, error) { return decode(false, src, denom) }

// DecodeStock decodes src at 1/denom scale with Debian's shared build.
func DecodeStock(src []byte, denom int) (Image, error) { return decode(true, src, denom) }

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

func decode(stock bool, src []byte, denom int) (Image, error) {
	if len(src) == 0 {
		return Image{}, errors.New("empty input")
	}
	which := C.int(0)
	if stock {
		if err := loadStock(); err != nil {
			return Image{}, err
		}
		which = 1
	}
	csrc := C.CBytes(src)
	defer C.free(csrc)
	var out *C.uchar
	var w, h, comps C.int
	msg := make([]byte, 256)
	rc := C.sd_decode(which, (*C.uchar)(csrc), C.size_t(len(src)), C.int(denom),
		&out, &w, &h, &comps, (*C.char)(unsafe.Pointer(&msg[0])), C.size_t(len(msg)))
	if rc != 0 {
		return Image{}, errors.New(C.GoString((*C.char)(unsafe.Pointer(&msg[0]))))
	}
	defer C.free(unsafe.Pointer(out))
	n := int(w) * int(h) * int(comps)
	return Image{Pix: C.GoBytes(unsafe.Pointer(out), C.int(n)), Width: int(w), Height: int(h), Components: int(comps)}, nil
}
