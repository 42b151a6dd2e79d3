#define _GNU_SOURCE
#include "stock.h"

#include <dlfcn.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpeglib.h"
#include "jerror.h"

/* The part of the libjpeg API a decode calls, so that one function can run
 * it against either library. */
typedef struct {
	struct jpeg_error_mgr *(*std_error)(struct jpeg_error_mgr *);
	void (*create)(j_decompress_ptr, int, size_t);
	void (*mem_src)(j_decompress_ptr, const unsigned char *, unsigned long);
	int (*read_header)(j_decompress_ptr, boolean);
	boolean (*start)(j_decompress_ptr);
	JDIMENSION (*read_scanlines)(j_decompress_ptr, JSAMPARRAY, JDIMENSION);
	boolean (*finish)(j_decompress_ptr);
	void (*destroy)(j_decompress_ptr);
} sd_api;

static const sd_api linked = {
	jpeg_std_error, jpeg_CreateDecompress, jpeg_mem_src, jpeg_read_header,
	jpeg_start_decompress, jpeg_read_scanlines, jpeg_finish_decompress, jpeg_destroy_decompress,
};

/* Debian's library's API, filled by sd_load. */
static sd_api stock_api;

int sd_load(const char *path, char *msg, size_t msglen) {
	/* RTLD_DEEPBIND: the library's own calls go to its own functions, not to
	 * the linked copies of the same names. */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
	if (h == NULL) {
		snprintf(msg, msglen, "dlopen %s: %s", path, dlerror());
		return -1;
	}
#define SYM(field, name)                                                       \
	if ((*(void **)&stock_api.field = dlsym(h, name)) == NULL) {              \
		snprintf(msg, msglen, "dlsym %s in %s: %s", name, path, dlerror()); \
		return -1;                                                          \
	}
	SYM(std_error, "jpeg_std_error");
	SYM(create, "jpeg_CreateDecompress");
	SYM(mem_src, "jpeg_mem_src");
	SYM(read_header, "jpeg_read_header");
	SYM(start, "jpeg_start_decompress");
	SYM(read_scanlines, "jpeg_read_scanlines");
	SYM(finish, "jpeg_finish_decompress");
	SYM(destroy, "jpeg_destroy_decompress");
#undef SYM
	return 0; /* the handle stays open for the life of the process */
}

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	int lenient; /* a premature end of the data is a warning, as libjpeg has it */
} sd_err;

static void sd_error_exit(j_common_ptr c) {
	sd_err *e = (sd_err *)c->err;
	longjmp(e->jump, 1);
}

static void sd_emit(j_common_ptr c, int level) {
	/* The converter's rule: a premature end of the data is an error; other
	 * warnings are tolerated. */
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF && !((sd_err *)c->err)->lenient) sd_error_exit(c);
}

int sd_decode(int stock, int lenient, const unsigned char *src, size_t len, int denom,
              unsigned char **out, int *width, int *height, int *components, int *band, size_t *heap, char *msg, size_t msglen) {
	sd_api api = stock == 1 ? stock_api : linked;
	struct jpeg_decompress_struct cinfo;
	sd_err err;
	unsigned char *volatile pix = NULL;
	*out = NULL;
	cinfo.err = api.std_error(&err.pub);
	err.pub.error_exit = sd_error_exit;
	err.pub.emit_message = sd_emit;
	err.lenient = lenient;
	if (setjmp(err.jump)) {
		(*cinfo.err->format_message)((j_common_ptr)&cinfo, msg);
		api.destroy(&cinfo);
		free(pix);
		return -1;
	}
	struct mallinfo2 before = mallinfo2();
	size_t heap_before = before.uordblks + before.hblkhd;
	api.create(&cinfo, JPEG_LIB_VERSION, sizeof(cinfo));
	api.mem_src(&cinfo, src, (unsigned long)len);
	api.read_header(&cinfo, TRUE);
	cinfo.scale_num = 1;
	cinfo.scale_denom = (unsigned int)denom;
	*band = 0;
	if (stock == 2) {
		/* The row-bands patch, as the converter uses it: a file it declines
		 * is decoded again without it. */
		jpeg_imgcells_band(&cinfo, src, len);
		api.start(&cinfo);
		*band = jpeg_imgcells_band_state(&cinfo);
		if (*band < 0) {
			jpeg_abort_decompress(&cinfo);
			api.mem_src(&cinfo, src, (unsigned long)len);
			api.read_header(&cinfo, TRUE);
			cinfo.scale_num = 1;
			cinfo.scale_denom = (unsigned int)denom;
			jpeg_imgcells_band(&cinfo, NULL, 0);
			api.start(&cinfo);
		}
	} else {
		api.start(&cinfo);
	}
	/* What the C heap holds once decompression has started, the decoder's
	 * coefficient buffer included when it has one. */
	struct mallinfo2 mi = mallinfo2();
	*heap = mi.uordblks + mi.hblkhd - heap_before;
	size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
	pix = malloc(stride * cinfo.output_height + 1);
	if (pix == NULL) {
		snprintf(msg, msglen, "out of memory");
		api.destroy(&cinfo);
		return -1;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = pix + stride * cinfo.output_scanline;
		api.read_scanlines(&cinfo, &row, 1);
	}
	api.finish(&cinfo);
	*width = (int)cinfo.output_width;
	*height = (int)cinfo.output_height;
	*components = cinfo.output_components;
	api.destroy(&cinfo);
	*out = pix;
	return 0;
}

int sd_encode_progressive(const unsigned char *rgb, int width, int height, int quality,
                          unsigned char **out, unsigned long *out_len) {
	struct jpeg_compress_struct cinfo;
	sd_err err;
	*out = NULL;
	*out_len = 0;
	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = sd_error_exit;
	if (setjmp(err.jump)) {
		jpeg_destroy_compress(&cinfo);
		free(*out);
		*out = NULL;
		return -1;
	}
	jpeg_create_compress(&cinfo);
	jpeg_mem_dest(&cinfo, out, out_len);
	cinfo.image_width = (JDIMENSION)width;
	cinfo.image_height = (JDIMENSION)height;
	cinfo.input_components = 3;
	cinfo.in_color_space = JCS_RGB;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, quality, TRUE);
	jpeg_simple_progression(&cinfo);
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		JSAMPROW row = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * (size_t)width * 3);
		jpeg_write_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	return 0;
}

int sd_decode_quantized(int band, const unsigned char *src, size_t len, unsigned char **out, size_t *out_len) {
	struct jpeg_decompress_struct cinfo;
	sd_err err;
	unsigned char *volatile pix = NULL;
	*out = NULL;
	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = sd_error_exit;
	err.pub.emit_message = sd_emit;
	err.lenient = 0;
	if (setjmp(err.jump)) {
		jpeg_destroy_decompress(&cinfo);
		free(pix);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, src, (unsigned long)len);
	jpeg_read_header(&cinfo, TRUE);
	cinfo.quantize_colors = TRUE;
	cinfo.two_pass_quantize = TRUE;
	cinfo.desired_number_of_colors = 64;
	if (band) jpeg_imgcells_band(&cinfo, src, len);
	jpeg_start_decompress(&cinfo);
	size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
	pix = malloc(stride * cinfo.output_height + 1);
	if (pix == NULL) longjmp(err.jump, 1);
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = pix + stride * cinfo.output_scanline;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	*out_len = stride * cinfo.output_height;
	jpeg_destroy_decompress(&cinfo);
	*out = pix;
	return 0;
}
