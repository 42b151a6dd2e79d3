#ifndef IMGCELLS_FAST_H
#define IMGCELLS_FAST_H

#include <stddef.h>
#include <stdint.h>

/* fp_info is what the fast path needs from a header libpng has read
 * (lp_fast_info fills it): the image's layout, the colours its samples
 * stand for, and where its image data starts. */
typedef struct {
	int width, height, depth, colour, interlaced;
	int out_ch;                  /* 3 (RGB) or 4 (RGBA): libpng's output */
	unsigned char palette[1024]; /* RGBA per index, for colour type 3 */
	int keyed;                   /* grey or RGB with a tRNS colour key */
	uint16_t key[3];             /* the key's grey (key[0]) or RGB samples */
	const unsigned char *idat;   /* the first IDAT chunk's data */
	size_t idat_len, left;       /* its length; bytes from idat to the end */
	size_t raw_len, out_len;     /* inflated (filtered) and output bytes */
} fp_info;

/* fp_layout sets raw_len and out_len from the header fields. */
void fp_layout(fp_info *fi);

/* fp_decode gathers the IDAT chunks that follow fi->idat, inflates them
 * with libdeflate into raw (fi->raw_len bytes), reverses the row filters,
 * interlacing and sample formats, and writes fi->out_len bytes of 8-bit
 * RGB or RGBA to out. raw may be the tail of out's buffer when out is not
 * interlaced (see fast.go). It returns 0, 1 when *abort became non-zero,
 * or -1 when anything is amiss: the caller then lets libpng decide. */
int fp_decode(const fp_info *fi, unsigned char *raw, unsigned char *out, const int32_t *abort);

/* fp_unfilter reverses one row's filter in place: each byte of cur gets
 * the prediction from the row above (prev, already unfiltered, or zeros)
 * and the pixel to the left (bpp bytes back, 1 for pixels smaller than a
 * byte). Both rows need 8 readable bytes past n (filter.c). It returns -1
 * for an unknown filter type. */
int fp_unfilter(int filter, unsigned char *cur, const unsigned char *prev, size_t n, int bpp);

#endif
