package hostile

/*
#cgo amd64 CFLAGS: -I${SRCDIR}/../../../.deps/libjpeg-turbo-amd64/include
#cgo arm64 CFLAGS: -I${SRCDIR}/../../../.deps/libjpeg-turbo-arm64/include
#cgo amd64 LDFLAGS: ${SRCDIR}/../../../.deps/libjpeg-turbo-amd64/lib/libjpeg.a
#cgo arm64 LDFLAGS: ${SRCDIR}/../../../.deps/libjpeg-turbo-arm64/lib/libjpeg.a
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
} hj_err;

static void hj_error_exit(j_common_ptr c) {
	hj_err *e = (hj_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jump, 1);
}

// hj_encode writes a w×h JPEG (three components at 4:4:4 or 4:2:0, or
// one) with libjpeg's encoder: arithmetic or Huffman coded; sequential
// (mode 0), libjpeg's standard progression (1), or a DC scan of every
// component then one full AC scan of each, luma last (2). Row y is row
// y % nrows of pix, so a flat image needs one row.
static int hj_encode(int w, int h, int gray, int s444, int arith, int mode, int quality,
                     const unsigned char *pix, int nrows, unsigned char **out,
                     unsigned long *outlen, char *msg, size_t msglen) {
	struct jpeg_compress_struct c;
	hj_err err;
	volatile int created = 0;
	*out = NULL;
	*outlen = 0;
	c.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = hj_error_exit;
	if (setjmp(err.jump)) {
		snprintf(msg, msglen, "%s", err.msg);
		if (created) jpeg_destroy_compress(&c);
		free(*out);
		*out = NULL;
		return -1;
	}
	jpeg_create_compress(&c);
	created = 1;
	jpeg_mem_dest(&c, out, outlen);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = gray ? 1 : 3;
	c.in_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	c.arith_code = arith ? TRUE : FALSE;
	c.optimize_coding = arith ? FALSE : TRUE;
	if (!gray && s444) {
		c.comp_info[0].h_samp_factor = 1;
		c.comp_info[0].v_samp_factor = 1;
	}
	jpeg_scan_info scans[4];
	int n = c.num_components;
	scans[0].comps_in_scan = n;
	for (int i = 0; i < n; i++) scans[0].component_index[i] = i;
	scans[0].Ss = 0; scans[0].Se = 0; scans[0].Ah = 0; scans[0].Al = 0;
	for (int i = 0; i < n; i++) {
		scans[i + 1].comps_in_scan = 1;
		scans[i + 1].component_index[0] = n - 1 - i;
		scans[i + 1].Ss = 1; scans[i + 1].Se = 63; scans[i + 1].Ah = 0; scans[i + 1].Al = 0;
	}
	if (mode == 1) {
		jpeg_simple_progression(&c);
	} else if (mode == 2) {
		c.scan_info = scans;
		c.num_scans = n + 1;
	}
	jpeg_start_compress(&c, TRUE);
	size_t stride = (size_t)w * (size_t)c.input_components;
	while (c.next_scanline < c.image_height) {
		JSAMPROW r = (JSAMPROW)(pix + (size_t)(c.next_scanline % (unsigned)nrows) * stride);
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return 0;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// ArithJPEG describes a flat arithmetic-coded progressive JPEG made by
// libjpeg's own encoder (arithmetic coding needs no bits for long runs of
// zeros, so the file stays a few KB at any size).
type ArithJPEG struct {
	Width, Height int
	Gray          bool
	Sampling444   bool
	ExtraScans    int  // repeats of the last AC scan, luma's
	RepeatDC      bool // repeat the interleaved DC scan instead
}

// Bytes encodes the file.
func (a ArithJPEG) Bytes() ([]byte, error) {
	comps := 3
	if a.Gray {
		comps = 1
	}
	row := make([]byte, a.Width*comps)
	for i := range row {
		row[i] = 128
	}
	b, err := Encoded{Width: a.Width, Height: a.Height, Gray: a.Gray, Sampling444: a.Sampling444,
		Arithmetic: true, Mode: FlatScans, Quality: 75, Pix: row}.Bytes()
	if err != nil {
		return nil, err
	}
	which := -1
	if a.RepeatDC {
		which = 0
	}
	return RepeatScan(b, which, a.ExtraScans)
}

// ScanMode is how Encoded lays out its scans.
type ScanMode int

// The scan layouts Encoded writes.
const (
	Sequential          ScanMode = iota // one scan (baseline, or arithmetic sequential)
	StandardProgressive                 // libjpeg's default progression (jpeg_simple_progression)
	FlatScans                           // a DC scan, then one whole AC scan per component
)

// Encoded is a JPEG made by libjpeg's encoder from Pix: packed rows of
// Width samples of 1 (Gray) or 3 (RGB) components, repeated down the
// image when there are fewer than Height of them.
type Encoded struct {
	Width, Height int
	Gray          bool
	Sampling444   bool
	Arithmetic    bool
	Mode          ScanMode
	Quality       int
	Pix           []byte
}

// Bytes encodes the file.
func (e Encoded) Bytes() ([]byte, error) {
	comps := 3
	if e.Gray {
		comps = 1
	}
	rows := len(e.Pix) / max(e.Width*comps, 1)
	if rows == 0 {
		return nil, errors.New("hostile: no pixels to encode")
	}
	var out *C.uchar
	var n C.ulong
	var msg [200]C.char
	if C.hj_encode(C.int(e.Width), C.int(e.Height), cbool(e.Gray), cbool(e.Sampling444), cbool(e.Arithmetic), C.int(e.Mode),
		C.int(e.Quality), (*C.uchar)(unsafe.Pointer(&e.Pix[0])), C.int(rows), &out, &n, &msg[0], C.size_t(len(msg))) != 0 {
		return nil, errors.New("hostile: encoding a JPEG: " + C.GoString(&msg[0]))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
