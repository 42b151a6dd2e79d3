// Package lcms converts pixels described by an ICC profile to sRGB with
// Little CMS 2, statically linked: scripts/deps.sh builds liblcms2.a from
// Debian's source package into .deps/lcms2-<arch> (Debian ships only the
// shared library, and the Lambda is one static binary).
//
// Every profile gets its own lcms context, whose allocator refuses to hold
// more than BuildCap bytes at once and whose error handler records the
// first message instead of printing it, so a hostile profile fails cleanly.
// Transforms are cached by the profile's hash (cache.go).
package lcms

/*
#cgo CFLAGS: -O2
#cgo amd64 CFLAGS: -I${SRCDIR}/../../../.deps/lcms2-amd64/include
#cgo arm64 CFLAGS: -I${SRCDIR}/../../../.deps/lcms2-arm64/include
#cgo amd64 LDFLAGS: ${SRCDIR}/../../../.deps/lcms2-amd64/lib/liblcms2.a -lm -lpthread
#cgo arm64 LDFLAGS: ${SRCDIR}/../../../.deps/lcms2-arm64/lib/liblcms2.a -lm -lpthread
#include <stdlib.h>
#include "lcms.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// BuildCap bounds the memory Little CMS may hold while it reads one profile
// and builds its transform. The largest real profiles (press CMYK, 33-point
// four-dimensional tables) need under 10 MB.
const BuildCap = 32 << 20

// Kind is the layout of the pixels a transform takes.
type Kind int

// The layouts. CMYK is Adobe's inverted form (255 = no ink), the one the
// JPEG decoder hands out whatever the file stored; it converts to RGB.
const (
	RGB  Kind = C.LC_RGB
	RGBA Kind = C.LC_RGBA
	CMYK Kind = C.LC_CMYK
	Gray Kind = C.LC_GRAY
)

// ErrProfile wraps every failure to use a profile; the reason says why.
var ErrProfile = errors.New("colour profile not usable")

// xform is one built transform and the context that owns its memory.
type xform struct {
	ctx  *C.lc_ctx
	h    unsafe.Pointer
	kind Kind
}

// build reads the profile and makes its transform to sRGB.
func build(profile []byte, kind Kind) (*xform, error) {
	if len(profile) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrProfile)
	}
	ctx := C.lc_new(C.size_t(BuildCap))
	if ctx == nil {
		return nil, fmt.Errorf("%w: no lcms context", ErrProfile)
	}
	p := C.CBytes(profile)
	defer C.free(p)
	var code C.int
	h := C.lc_transform(ctx, p, C.size_t(len(profile)), C.int(kind), &code)
	if h == nil {
		err := failure(ctx, code)
		C.lc_free(ctx)
		return nil, err
	}
	return &xform{ctx: ctx, h: h, kind: kind}, nil
}

func failure(ctx *C.lc_ctx, code C.int) error {
	msg := C.GoString(C.lc_error(ctx))
	if C.lc_over(ctx) != 0 {
		msg = fmt.Sprintf("needs more than %d MB to read", BuildCap>>20)
	}
	switch code {
	case C.LC_ERR_SPACE:
		return fmt.Errorf("%w: it describes another colour space than the image's", ErrProfile)
	case C.LC_ERR_CLASS:
		return fmt.Errorf("%w: a device link, abstract or named-colour profile", ErrProfile)
	}
	if msg == "" {
		msg = "lcms refused it"
	}
	return fmt.Errorf("%w: %s", ErrProfile, msg)
}

// bytes is what the transform holds in memory.
func (x *xform) bytes() int64 { return int64(C.lc_live(x.ctx)) }

// apply transforms n pixels from in to out (which may be the same buffer
// when the layouts have the same size).
func (x *xform) apply(in, out []byte, n int) {
	if n == 0 {
		return
	}
	C.lc_apply(x.h, unsafe.Pointer(&in[0]), unsafe.Pointer(&out[0]), C.size_t(n))
}

func (x *xform) free() {
	C.lc_drop(x.h)
	C.lc_free(x.ctx)
}

// RGBProfile writes an RGB matrix-shaper profile from a white point and
// primaries, each CIE x then y, and a power-law transfer function of
// exponent gamma, or sRGB's when gamma is 0: the profile a PNG's cHRM and
// gAMA chunks describe, or a standard space such as Display P3.
func RGBProfile(white, red, green, blue [2]float64, gamma float64) ([]byte, error) {
	ctx := C.lc_new(C.size_t(BuildCap))
	if ctx == nil {
		return nil, fmt.Errorf("%w: no lcms context", ErrProfile)
	}
	defer C.lc_free(ctx)
	xy := [8]C.double{C.double(white[0]), C.double(white[1]), C.double(red[0]), C.double(red[1]),
		C.double(green[0]), C.double(green[1]), C.double(blue[0]), C.double(blue[1])}
	var n C.size_t
	buf := C.lc_rgb_profile(ctx, &xy[0], C.double(gamma), &n)
	if buf == nil {
		return nil, fmt.Errorf("%w: %s", ErrProfile, C.GoString(C.lc_error(ctx)))
	}
	defer C.free(unsafe.Pointer(buf))
	prof := C.GoBytes(unsafe.Pointer(buf), C.int(n))
	// lcms stamps the creation time and an MD5 of the whole: clear both
	// (an all-zero ID means "not computed"), so one description always
	// gives the same bytes, and the same cache entry.
	clear(prof[24:36])
	clear(prof[84:100])
	return prof, nil
}
