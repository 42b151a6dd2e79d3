package avif

/*
#cgo LDFLAGS: -laom -lm -lpthread
#include <stdlib.h>
#include "aom.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// tuning is the libaom knobs beyond speed and quantizer; -1 keeps libaom's
// default. The measurements in quality.go chose defaultTuning.
type tuning struct {
	tune, deltaqMode, enableQM, sharpness, chromaDeltaQ, rectPartitions int
}

// params is one image's encode settings.
type params struct {
	w, h, speed, threads int
	t                    tuning
}

// encodePlanes codes 4:2:0 planes at cq-level cq into AV1 Image Item Data
// and its sequence header; an alpha plane (y only) is coded monochrome and
// lossless.
func (p params) encodePlanes(y, u, v []byte, cq int, alpha bool) (item, error) {
	cw, _ := chromaSize(p.w, p.h)
	cp := C.ia_params{
		width: C.int(p.w), height: C.int(p.h), monochrome: cbool(alpha),
		speed: C.int(p.speed), cq_level: C.int(cq), threads: C.int(p.threads),
		matrix: C.int(cicpMatrixBT601), full_range: 1,
		tune: C.int(p.t.tune), deltaq_mode: C.int(p.t.deltaqMode), enable_qm: C.int(p.t.enableQM),
		sharpness: C.int(p.t.sharpness), chroma_deltaq: C.int(p.t.chromaDeltaQ), lossless: cbool(alpha),
		rect_partitions: C.int(p.t.rectPartitions),
	}
	var out *C.uint8_t
	var outLen C.size_t
	var errBuf [256]C.char
	// libaom copies the planes into its own frame buffers during the call
	// and keeps no pointer to them afterwards.
	if C.ia_encode(&cp, (*C.uint8_t)(unsafe.Pointer(&y[0])), C.int(p.w),
		(*C.uint8_t)(unsafe.Pointer(&u[0])), (*C.uint8_t)(unsafe.Pointer(&v[0])), C.int(cw),
		&out, &outLen, &errBuf[0], C.size_t(len(errBuf))) != 0 {
		return item{}, errors.New(C.GoString(&errBuf[0]))
	}
	tu := C.GoBytes(unsafe.Pointer(out), C.int(outLen))
	C.ia_free(out)
	data, seq, err := itemData(tu)
	if err != nil {
		return item{}, fmt.Errorf("libaom's output: %w", err)
	}
	return item{data: data, seq: seq}, nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
