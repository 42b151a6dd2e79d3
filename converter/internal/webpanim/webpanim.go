// Package webpanim encodes and decodes animated WebP with libwebp's
// animation API (WebPAnimEncoder, WebPAnimDecoder). It does not carry its
// own libwebp: the github.com/chai2010/webp module compiles libwebp 1.4.0,
// its mux and demux sources included, into the binary, and this binding
// calls those symbols through the same version's public headers (copied
// under include/, checked against the module's by the tests). So there is
// one libwebp in the binary, never two of different versions.
package webpanim

/*
#cgo CFLAGS: -O2 -I${SRCDIR}/include
#include <stdlib.h>
#include "webpanim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	_ "github.com/chai2010/webp" // links libwebp, whose animation symbols this package calls
)

// Encoder builds an animated WebP from full-canvas frames.
type Encoder struct {
	e    *C.wa_enc
	w, h int
}

// NewEncoder starts a w×h animation that plays loop times (0: forever),
// each frame lossy at the given quality.
func NewEncoder(w, h, loop int, quality float32) (*Encoder, error) {
	e := C.wa_enc_new(C.int(w), C.int(h), C.int(loop), C.float(quality))
	if e == nil {
		return nil, fmt.Errorf("starting a %dx%d WebP animation: libwebp refused", w, h)
	}
	return &Encoder{e: e, w: w, h: h}, nil
}

// Add appends a frame: w×h straight-alpha RGBA, shown from startMs
// (milliseconds from the animation's start, increasing). A frame identical
// to the one before it extends that frame instead (libwebp merges them),
// so the animation's timing is kept whatever its frame count.
func (e *Encoder) Add(rgba []byte, startMs int) error {
	if len(rgba) != e.w*e.h*4 {
		return fmt.Errorf("WebP animation frame of %d bytes, want %dx%dx4", len(rgba), e.w, e.h)
	}
	if C.wa_enc_add(e.e, (*C.uint8_t)(unsafe.Pointer(&rgba[0])), C.int(startMs)) == 0 {
		return fmt.Errorf("adding a WebP animation frame at %d ms: %s", startMs, C.GoString(C.wa_enc_error(e.e)))
	}
	return nil
}

// Finish ends the last frame at endMs and returns the file.
func (e *Encoder) Finish(endMs int) ([]byte, error) {
	var out *C.uint8_t
	var n C.size_t
	if C.wa_enc_finish(e.e, C.int(endMs), &out, &n) == 0 {
		return nil, fmt.Errorf("assembling the WebP animation: %s", C.GoString(C.wa_enc_error(e.e)))
	}
	defer C.wa_free(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// Close frees the encoder.
func (e *Encoder) Close() {
	if e.e != nil {
		C.wa_enc_free(e.e)
		e.e = nil
	}
}

// Info describes an animation.
type Info struct {
	Width, Height int
	Loop          int // 0: forever
	Frames        int
	Background    uint32 // the ANIM chunk's background colour, as stored
}

// Decoder reads an animated (or still) WebP frame by frame.
type Decoder struct {
	d    *C.wa_dec
	info Info
}

// ErrDecode is returned when libwebp cannot read the animation.
var ErrDecode = errors.New("the WebP animation cannot be decoded")

// NewDecoder parses the file's headers; frames are decoded by Next.
func NewDecoder(data []byte) (*Decoder, Info, error) {
	if len(data) == 0 {
		return nil, Info{}, ErrDecode
	}
	var ci C.wa_info
	d := C.wa_dec_new((*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data)), &ci)
	if d == nil {
		return nil, Info{}, ErrDecode
	}
	info := Info{Width: int(ci.width), Height: int(ci.height), Loop: int(ci.loop), Frames: int(ci.frames), Background: uint32(ci.background)}
	return &Decoder{d: d, info: info}, info, nil
}

// Next decodes the next frame composited on the canvas (disposal and
// blending applied) into dst, Width×Height×4 bytes of straight RGBA, and
// returns the time it ends at, in ms from the start.
func (d *Decoder) Next(dst []byte) (endMs int, err error) {
	if len(dst) != d.info.Width*d.info.Height*4 {
		return 0, fmt.Errorf("WebP frame buffer of %d bytes, want %dx%dx4", len(dst), d.info.Width, d.info.Height)
	}
	ts := C.wa_dec_next(d.d, (*C.uint8_t)(unsafe.Pointer(&dst[0])))
	if ts < 0 {
		return 0, ErrDecode
	}
	return int(ts), nil
}

// Close frees the decoder.
func (d *Decoder) Close() {
	if d.d != nil {
		C.wa_dec_free(d.d)
		d.d = nil
	}
}
