#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "libpng.h"
#include "abort.h"
#include "fast.h"

/* lp_dec is one decode with libpng's row API, reading from memory. Rows
 * are written straight into the caller's buffer, interlaced or not (libpng
 * combines each Adam7 pass into the rows in place): no full-size copy. */
struct lp_dec {
	png_structp png;
	png_infop info;
	const unsigned char *src;
	size_t left;
	const int32_t *abort;
	int aborted;
	png_fixed_point gamma; /* the file's gamma when libpng converts it */
	fp_info fi;            /* the source as the fast path needs it */
	char msg[128];
};

static void lp_error(png_structp png, png_const_charp msg) {
	lp_dec *d = (lp_dec *)png_get_error_ptr(png);
	snprintf(d->msg, sizeof(d->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void lp_warning(png_structp png, png_const_charp msg) {
	(void)png;
	(void)msg; /* a damaged ancillary chunk, extra data: read on */
}

static void lp_read(png_structp png, png_bytep out, size_t n) {
	lp_dec *d = (lp_dec *)png_get_io_ptr(png);
	if (n > d->left) png_error(png, "PNG is truncated");
	memcpy(out, d->src, n);
	d->src += n;
	d->left -= n;
}

/* Called after every row of every pass: stop there past the deadline. */
static void lp_row(png_structp png, png_uint_32 row, int pass) {
	(void)row;
	(void)pass;
	lp_dec *d = (lp_dec *)png_get_error_ptr(png);
	if (abort_set(d->abort)) {
		d->aborted = 1;
		png_error(png, "stopped at the deadline");
	}
}

/* source_info keeps what png_read_update_info then changes to describe
 * the output: the source's layout, palette and tRNS as libpng took them. */
static void source_info(lp_dec *d) {
	fp_info *fi = &d->fi;
	fi->width = (int)png_get_image_width(d->png, d->info);
	fi->height = (int)png_get_image_height(d->png, d->info);
	fi->depth = png_get_bit_depth(d->png, d->info);
	fi->colour = png_get_color_type(d->png, d->info);
	fi->interlaced = png_get_interlace_type(d->png, d->info) != PNG_INTERLACE_NONE;
	png_bytep trans = NULL;
	int ntrans = 0;
	png_color_16p key = NULL;
	if (png_get_tRNS(d->png, d->info, &trans, &ntrans, &key) == 0) ntrans = 0, trans = NULL, key = NULL;
	if (fi->colour == PNG_COLOR_TYPE_PALETTE) {
		png_colorp pal = NULL;
		int npal = 0;
		if (png_get_PLTE(d->png, d->info, &pal, &npal) == 0) npal = 0;
		/* Indices past the palette are black and past tRNS opaque, as
		 * libpng's zeroed 256-entry palette makes them. */
		for (int i = 0; i < 256; i++) {
			fi->palette[4 * i + 3] = 255;
			if (i < npal) {
				fi->palette[4 * i] = pal[i].red;
				fi->palette[4 * i + 1] = pal[i].green;
				fi->palette[4 * i + 2] = pal[i].blue;
			}
			if (i < ntrans && trans != NULL) fi->palette[4 * i + 3] = trans[i];
		}
	} else if (key != NULL && !(fi->colour & PNG_COLOR_MASK_ALPHA)) {
		fi->keyed = 1;
		fi->key[0] = fi->colour == PNG_COLOR_TYPE_GRAY ? key->gray : key->red;
		fi->key[1] = key->green;
		fi->key[2] = key->blue;
	}
}

lp_dec *lp_new(void) { return calloc(1, sizeof(lp_dec)); }

const char *lp_message(lp_dec *d) { return d->msg; }

int lp_aborted(lp_dec *d) { return d->aborted; }

int lp_begin(lp_dec *d, const unsigned char *src, size_t len, lp_info *out) {
	d->src = src;
	d->left = len;
	d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, lp_error, lp_warning);
	if (d->png == NULL) {
		snprintf(d->msg, sizeof(d->msg), "out of memory");
		return -1;
	}
	d->info = png_create_info_struct(d->png);
	if (d->info == NULL) {
		snprintf(d->msg, sizeof(d->msg), "out of memory");
		return -1;
	}
	if (setjmp(png_jmpbuf(d->png))) return -1;
	png_set_read_fn(d->png, d, lp_read);
	png_set_read_status_fn(d->png, lp_row);
	png_read_info(d->png, d->info);
	int colour = png_get_color_type(d->png, d->info);
	out->width = (int)png_get_image_width(d->png, d->info);
	out->height = (int)png_get_image_height(d->png, d->info);
	out->alpha = (colour & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid(d->png, d->info, PNG_INFO_tRNS);
	source_info(d);
	/* 8-bit RGB or straight RGBA whatever the source: palettes and small
	 * depths expanded, tRNS made alpha, grey made RGB, 16-bit samples
	 * rounded to 8 bits. 16-bit samples are sRGB-encoded unless the file
	 * says otherwise, as browsers take them. A gAMA chunk on its own is
	 * honoured by converting to sRGB; profiles are the converter's. */
	png_set_expand(d->png);
	png_set_gray_to_rgb(d->png);
	png_set_scale_16(d->png);
	png_fixed_point gamma;
	/* A gAMA chunk alone: an iCCP profile overrides it and cHRM primaries
	 * come with it (PNG 3rd edition, 11.3.2), and the converter applies
	 * both itself (converter/colour.go). */
	if (!png_get_valid(d->png, d->info, PNG_INFO_sRGB) && !png_get_valid(d->png, d->info, PNG_INFO_iCCP) &&
	    !png_get_valid(d->png, d->info, PNG_INFO_cHRM) && png_get_gAMA_fixed(d->png, d->info, &gamma) && gamma > 0) {
		png_set_gamma_fixed(d->png, PNG_DEFAULT_sRGB, gamma);
		d->gamma = gamma;
	}
	out->passes = png_set_interlace_handling(d->png);
	png_read_update_info(d->png, d->info);
	size_t want = (size_t)out->width * (out->alpha ? 4 : 3);
	if (png_get_rowbytes(d->png, d->info) != want) {
		snprintf(d->msg, sizeof(d->msg), "unexpected row of %zu bytes", (size_t)png_get_rowbytes(d->png, d->info));
		return -1;
	}
	return 0;
}

int lp_finish(lp_dec *d, unsigned char *buf, int passes, const int32_t *abort) {
	d->abort = abort;
	if (setjmp(png_jmpbuf(d->png))) return d->aborted ? 1 : -1;
	png_uint_32 h = png_get_image_height(d->png, d->info);
	size_t stride = png_get_rowbytes(d->png, d->info);
	for (int p = 0; p < passes; p++) {
		for (png_uint_32 y = 0; y < h; y++) png_read_row(d->png, buf + (size_t)y * stride, NULL);
	}
	/* IEND and anything after the image data are not read: the image is
	 * complete, whatever follows. */
	return 0;
}

/* libpng leaves a gamma within 5 % of sRGB's (1/2.2) alone
 * (PNG_GAMMA_THRESHOLD); these bounds stay well inside it. */
#define GAMMA_LO 44000
#define GAMMA_HI 47000

int lp_fast_info(lp_dec *d, fp_info *fi) {
	if (d->gamma != 0 && (d->gamma < GAMMA_LO || d->gamma > GAMMA_HI)) return -1;
	*fi = d->fi;
	/* The row layout lp_begin checked: RGBA when there is alpha or tRNS. */
	fi->out_ch = (int)(png_get_rowbytes(d->png, d->info) / (size_t)fi->width);
	if (fi->out_ch == 4 && (fi->colour == PNG_COLOR_TYPE_GRAY || fi->colour == PNG_COLOR_TYPE_RGB) && !fi->keyed) return -1;
	/* png_read_info stopped after the first IDAT chunk's header. */
	const unsigned char *hdr = d->src - 8;
	fi->idat = d->src;
	fi->idat_len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	fi->left = d->left;
	if (memcmp(hdr + 4, "IDAT", 4) != 0) return -1;
	fp_layout(fi);
	return 0;
}

void lp_free(lp_dec *d) {
	if (d == NULL) return;
	if (d->png != NULL) png_destroy_read_struct(&d->png, d->info != NULL ? &d->info : NULL, NULL);
	free(d);
}
