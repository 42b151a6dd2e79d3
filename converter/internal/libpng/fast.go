package libpng

/*
#cgo LDFLAGS: -ldeflate
#include "fast.h"
*/
import "C"

import (
	"encoding/binary"
	"hash/crc32"
	"unsafe"
)

// decodeFast decodes the common photo case, 8-bit RGB or RGBA without
// interlacing, transparency or colour-management chunks, with libdeflate's
// whole-buffer inflate (several times faster than zlib's streaming one,
// which dominates libpng's time). ok is false for anything else, or any
// damage, a bad CRC in IHDR, PLTE or IDAT included: Decode then hands the
// file to libpng, which decides. Ancillary chunks are skipped unread, as
// libpng skips one whose CRC is bad, and IEND's CRC is not read, as libpng's
// simplified API does not read it.
func decodeFast(src []byte, maxPixels int64, alloc func(n int) []byte) (img *Image, ok bool) {
	const sig = 8
	if len(src) < sig+8+13+4 || string(src[sig+4:sig+8]) != "IHDR" || binary.BigEndian.Uint32(src[sig:]) != 13 {
		return nil, false
	}
	if !crcOK(src[sig:]) {
		return nil, false
	}
	ihdr := src[sig+8 : sig+8+13]
	w, h := int64(binary.BigEndian.Uint32(ihdr[0:])), int64(binary.BigEndian.Uint32(ihdr[4:]))
	depth, colour, method, filter, interlace := ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]
	bpp := 0
	switch colour {
	case 2:
		bpp = 3
	case 6:
		bpp = 4
	}
	if bpp == 0 || depth != 8 || method != 0 || filter != 0 || interlace != 0 ||
		w <= 0 || h <= 0 || w > 1<<24 || h > 1<<24 || (maxPixels > 0 && w*h > maxPixels) {
		return nil, false
	}
	var idat [][]byte
	total := 0
	for i := sig + 8 + 13 + 4; ; {
		if i+12 > len(src) {
			return nil, false // truncated: libpng reports it
		}
		n := int(binary.BigEndian.Uint32(src[i:]))
		if n < 0 || n > len(src)-i-12 {
			return nil, false
		}
		typ := string(src[i+4 : i+8])
		if typ[0]&0x20 == 0 && typ != "IEND" && !crcOK(src[i:]) {
			return nil, false // a damaged critical chunk: libpng refuses it
		}
		switch {
		case typ == "IDAT":
			idat = append(idat, src[i+8:i+8+n])
			total += n
		case typ == "IEND":
			return inflate(idat, total, int(w), int(h), bpp, alloc)
		case typ == "tRNS", typ == "gAMA", typ == "cHRM", typ == "iCCP", typ == "sBIT":
			return nil, false // libpng applies these
		case typ == "PLTE", typ[0]&0x20 != 0:
			// A suggested palette, or an ancillary chunk with no effect
			// on the pixels.
		default:
			return nil, false // an unknown critical chunk
		}
		i += n + 12
	}
}

// crcOK checks the CRC of the chunk at the start of c, whose length is
// known to fit.
func crcOK(c []byte) bool {
	n := int(binary.BigEndian.Uint32(c))
	return crc32.ChecksumIEEE(c[4:8+n]) == binary.BigEndian.Uint32(c[8+n:])
}

func inflate(idat [][]byte, total, w, h, bpp int, alloc func(n int) []byte) (*Image, bool) {
	if total == 0 {
		return nil, false
	}
	z := idat[0]
	if len(idat) > 1 {
		z = make([]byte, 0, total)
		for _, d := range idat {
			z = append(z, d...)
		}
	}
	stride := w * bpp
	raw := alloc(h * (stride + 1))
	rc := C.fp_decode((*C.uchar)(unsafe.Pointer(&z[0])), C.size_t(len(z)),
		(*C.uchar)(unsafe.Pointer(&raw[0])), C.size_t(len(raw)), C.int(w), C.int(h), C.int(bpp))
	if rc != 0 {
		return nil, false
	}
	return &Image{Pix: raw[: h*stride : h*stride], Width: w, Height: h, Components: bpp}, true
}
