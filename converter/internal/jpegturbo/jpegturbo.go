// Package jpegturbo is a minimal cgo binding to libjpeg-turbo (API 62):
// decoding with DCT-domain downscaling (shrink-on-load) and baseline
// encoding. It links a static libjpeg.a that scripts/deps.sh builds from
// Debian's source package with patches/ applied (a faster decoder for the
// refinement scans of progressive JPEGs, bit-exact with Debian's own build:
// stock_test.go; large objects in transparent huge pages: large_test.go;
// progressive files by row bands: bands_test.go; raw chroma planes no larger
// than asked: planes_test.go) into .deps/libjpeg-turbo-<arch>.
package jpegturbo

/*
#cgo CFLAGS: -I${SRCDIR}/../abort
#cgo amd64 CFLAGS: -I${SRCDIR}/../../../.deps/libjpeg-turbo-amd64/include
#cgo arm64 CFLAGS: -I${SRCDIR}/../../../.deps/libjpeg-turbo-arm64/include
#cgo amd64 LDFLAGS: ${SRCDIR}/../../../.deps/libjpeg-turbo-amd64/lib/libjpeg.a
#cgo arm64 LDFLAGS: ${SRCDIR}/../../../.deps/libjpeg-turbo-arm64/lib/libjpeg.a
#include <stdlib.h>
#include "jpegturbo.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"unsafe"

	"imgcells/converter/arrive"
	"imgcells/converter/internal/abort"
)

// Image is decoded pixels: packed rows of Components bytes per pixel, RGB
// for colour and grayscale sources, CMYK for CMYK and YCCK sources, always in
// Adobe's inverted form (255 = no ink), so red = C*K/255.
type Image struct {
	Pix           []byte
	Width, Height int
	Components    int
	// Planes, when DecodePlanes got them, are the file's own Y, Cb and Cr
	// samples instead of Pix (which is then nil).
	Planes *Planes
}

// Planes are a YCbCr JPEG's samples as the file holds them, after DCT
// scaling: full-range (JFIF) BT.601 Y, Cb and Cr, the chroma planes at the
// file's subsampling (or below it, where DecodePlanes was asked for fewer
// samples), each chroma sample centred on the luma samples it covers. Plane
// i is W[i]×H[i] samples in rows of Stride[i] bytes of Pix[i].
type Planes struct {
	Pix    [3][]byte
	W, H   [3]int
	Stride [3]int
}

// Info is what the header says, before any scaling.
type Info struct {
	Width, Height int
}

// ErrCorrupt wraps every decoding failure; the message is libjpeg's.
var ErrCorrupt = errors.New("corrupt JPEG")

// ErrAborted is returned, wrapping the context's error, when the context
// ended before decoding or encoding finished.
var ErrAborted = errors.New("jpegturbo: stopped")

// ScaledSize is the size libjpeg produces for a w×h image decoded at 1/denom.
func ScaledSize(w, h, denom int) (int, int) {
	return (w + denom - 1) / denom, (h + denom - 1) / denom
}

// ErrArrival is returned when the file being decoded stopped arriving
// (Arriving's state became Failed): the network's fault, not the file's.
var ErrArrival = errors.New("jpegturbo: the file stopped arriving")

// The states of an Arriving file are package arrive's, which the reader
// publishes; the C source reads them as its JT_COMPLETE and JT_FAILED.
const (
	Arrived = arrive.Complete // every byte is in Data
	Failed  = arrive.Failed   // no more bytes will come
)

// The C enum and arrive's states agree, or this does not compile.
var _ = [1]struct{}{}[uint(Arrived-C.JT_COMPLETE)+uint(C.JT_COMPLETE-Arrived)+uint(Failed-C.JT_FAILED)+uint(C.JT_FAILED-Failed)]

// Arriving is a JPEG file still being received: Data has its whole length,
// and its first *Avail bytes are there. The writer stores bytes into Data,
// then their new count into *Avail, then Arrived or Failed into *State once
// no more will come, all with sync/atomic; Avail and State must be pinned
// while a decode reads them (DecodeArriving pins them).
type Arriving struct {
	Data  []byte
	Avail *int64
	State *int32
}

// Decode decodes src scaled by 1/denom (1, 2, 4 or 8). alloc, when not
// nil, provides the pixel buffer (its old contents are overwritten). It
// stops with ErrAborted soon after ctx ends: libjpeg's progress monitor
// checks at every row group of every scan, and, where a progressive file is
// decoded by row bands, at every group of rows read.
func Decode(ctx context.Context, src []byte, denom int, alloc func(n int) []byte) (*Image, error) {
	return decode(ctx, Arriving{Data: src}, denom, alloc, nil)
}

// DecodeArriving is Decode of a file that is still arriving: libjpeg
// decodes what is there and waits for the rest as it needs it, so reading
// the file and decoding it overlap. A file that ends short of what its
// scans need is ErrCorrupt (truncated), as with Decode; a failed arrival
// is ErrArrival.
func DecodeArriving(ctx context.Context, src Arriving, denom int, alloc func(n int) []byte) (*Image, error) {
	if src.Avail == nil || src.State == nil {
		return nil, errors.New("jpegturbo: an arriving file needs its byte count and state")
	}
	return decode(ctx, src, denom, alloc, nil)
}

// DecodePlanes is DecodeArriving (or Decode, when src.Avail is nil) that
// returns the file's Y, Cb and Cr planes, skipping libjpeg's chroma
// upsampling and colour conversion, where the file is YCbCr with its luma
// at full resolution and each chroma plane subsampled by 1 or 2 each way
// (every photo camera's and encoder's JPEG). Any other file it decodes to
// Pix as Decode does: the caller looks at Planes. With chroma's W and H
// above 0, the chroma planes are decoded at the smallest DCT scale that
// keeps that many samples across the whole image (never larger than
// libjpeg's own choice, which may be larger than the luma's scale).
func DecodePlanes(ctx context.Context, src Arriving, denom int, chroma image.Point, alloc func(n int) []byte) (*Image, error) {
	if (src.Avail == nil) != (src.State == nil) {
		return nil, errors.New("jpegturbo: an arriving file needs its byte count and state")
	}
	return decode(ctx, src, denom, alloc, &chroma)
}

// decode decodes to Pix, or to Planes where the file allows and planes
// (the chroma samples needed across the image) is not nil.
func decode(ctx context.Context, a Arriving, denom int, alloc func(n int) []byte, planes *image.Point) (*Image, error) {
	src := a.Data
	if len(src) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrCorrupt)
	}
	switch denom {
	case 1, 2, 4, 8:
	default:
		return nil, fmt.Errorf("jpegturbo: scale 1/%d is not one of 1, 2, 4, 8", denom)
	}
	d := C.jt_new()
	if d == nil {
		return nil, errors.New("jpegturbo: out of memory")
	}
	defer C.jt_free(d)
	// libjpeg keeps a pointer to src between calls: pin it until jt_free.
	var pin runtime.Pinner
	pin.Pin(&src[0])
	defer pin.Unpin()
	stop := abort.Watch(ctx)
	defer stop.Release()
	failed := func() error {
		if C.jt_aborted(d) != 0 {
			return fmt.Errorf("%w: %w", ErrAborted, context.Cause(ctx))
		}
		if C.jt_arrival_failed(d) != 0 {
			return ErrArrival
		}
		return fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(C.jt_error(d)))
	}

	var info C.jt_info
	var avail *C.int64_t
	var state *C.int32_t
	if a.Avail != nil {
		// libjpeg reads them between calls too.
		pin.Pin(a.Avail)
		pin.Pin(a.State)
		avail, state = (*C.int64_t)(unsafe.Pointer(a.Avail)), (*C.int32_t)(unsafe.Pointer(a.State))
	}
	var rc C.int
	if planes != nil {
		rc = C.jt_open_planes(d, (*C.uchar)(unsafe.Pointer(&src[0])), C.size_t(len(src)), avail, state, C.int(denom),
			C.int(planes.X), C.int(planes.Y), (*C.int32_t)(stop.Ptr()), &info)
	} else {
		rc = C.jt_open_arriving(d, (*C.uchar)(unsafe.Pointer(&src[0])), C.size_t(len(src)), avail, state, C.int(denom), (*C.int32_t)(stop.Ptr()), &info)
	}
	if rc != 0 {
		return nil, failed()
	}
	if info.planar != 0 {
		return readPlanes(d, &info, alloc, failed)
	}
	w, h, n := int(info.out_width), int(info.out_height), int(info.components)
	if w <= 0 || h <= 0 || (n != 3 && n != 4) {
		return nil, fmt.Errorf("%w: unexpected output %dx%d with %d components", ErrCorrupt, w, h, n)
	}
	var pix []byte
	if alloc != nil {
		pix = alloc(w * h * n)
	} else {
		pix = make([]byte, w*h*n)
	}
	if C.jt_read(d, (*C.uchar)(unsafe.Pointer(&pix[0])), C.size_t(w*n)) != 0 {
		return nil, failed()
	}
	if n == 4 && info.adobe_inverted == 0 {
		// Adobe writes CMYK inverted (255 = no ink); bring plain CMYK to
		// that form so callers see one convention.
		for i := range pix {
			pix[i] = 255 - pix[i]
		}
	}
	return &Image{Pix: pix, Width: w, Height: h, Components: n}, nil
}

// readPlanes reads an opened file's planes into buffers from alloc.
func readPlanes(d *C.jt_dec, info *C.jt_info, alloc func(n int) []byte, failed func() error) (*Image, error) {
	var p Planes
	var ptr [3]*C.uchar
	for i := range 3 {
		w, h := int(info.plane_w[i]), int(info.plane_h[i])
		stride, rows := int(info.plane_stride[i]), int(info.plane_rows[i])
		if w <= 0 || h <= 0 || stride < w || rows < h {
			return nil, fmt.Errorf("%w: unexpected plane %d of %dx%d in %dx%d", ErrCorrupt, i, w, h, stride, rows)
		}
		if alloc != nil {
			p.Pix[i] = alloc(stride * rows)
		} else {
			p.Pix[i] = make([]byte, stride*rows)
		}
		p.W[i], p.H[i], p.Stride[i] = w, h, stride
		ptr[i] = (*C.uchar)(unsafe.Pointer(&p.Pix[i][0]))
	}
	if C.jt_read_planes(d, ptr[0], ptr[1], ptr[2]) != 0 {
		return nil, failed()
	}
	return &Image{Width: int(info.out_width), Height: int(info.out_height), Components: 3, Planes: &p}, nil
}

// EncodeRGB compresses packed RGB rows (4:2:0, optimised Huffman tables).
// It stops with ErrAborted between rows once ctx ends.
func EncodeRGB(ctx context.Context, rgb []byte, w, h, quality int) ([]byte, error) {
	if w <= 0 || h <= 0 || len(rgb) < w*h*3 {
		return nil, fmt.Errorf("jpegturbo: %d bytes do not hold %dx%d RGB", len(rgb), w, h)
	}
	var out *C.uchar
	var outLen C.ulong
	var errbuf [200]C.char
	stop := abort.Watch(ctx)
	defer stop.Release()
	rc := C.jt_encode((*C.uchar)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h), C.int(quality), (*C.int32_t)(stop.Ptr()),
		&out, &outLen, &errbuf[0], C.size_t(len(errbuf)))
	if rc == 1 {
		return nil, fmt.Errorf("%w: %w", ErrAborted, context.Cause(ctx))
	}
	if rc != 0 {
		return nil, fmt.Errorf("jpegturbo: encoding: %s", C.GoString(&errbuf[0]))
	}
	defer C.jt_free_buf(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(outLen)), nil
}
