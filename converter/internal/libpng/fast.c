#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "fast.h"

static int paeth(int a, int b, int c) {
	int p = a + b - c;
	int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	if (pa <= pb && pa <= pc) return a;
	if (pb <= pc) return b;
	return c;
}

int fp_decode(const unsigned char *z, size_t zlen, unsigned char *raw, size_t rawlen,
              int w, int h, int bpp) {
	size_t stride = (size_t)w * (size_t)bpp;
	if (w <= 0 || h <= 0 || rawlen != (size_t)h * (stride + 1)) return -1;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (d == NULL) return -1;
	size_t got = 0;
	enum libdeflate_result r = libdeflate_zlib_decompress(d, z, zlen, raw, rawlen, &got);
	libdeflate_free_decompressor(d);
	if (r != LIBDEFLATE_SUCCESS || got != rawlen) return -1;

	/* Row y's filter byte is at y*(stride+1); its pixels follow. Each row
	 * is unfiltered against the previous (already unfiltered and moved)
	 * row, then moved to y*stride: the destination never overtakes the
	 * source, so the move is safe in place. */
	unsigned char *prev = NULL;
	for (int y = 0; y < h; y++) {
		unsigned char *src = raw + (size_t)y * (stride + 1);
		int filter = src[0];
		unsigned char *cur = src + 1;
		size_t i;
		switch (filter) {
		case 0:
			break;
		case 1:
			for (i = (size_t)bpp; i < stride; i++) cur[i] = (unsigned char)(cur[i] + cur[i - bpp]);
			break;
		case 2:
			if (prev) for (i = 0; i < stride; i++) cur[i] = (unsigned char)(cur[i] + prev[i]);
			break;
		case 3:
			if (prev) {
				for (i = 0; i < (size_t)bpp; i++) cur[i] = (unsigned char)(cur[i] + (prev[i] >> 1));
				for (; i < stride; i++) cur[i] = (unsigned char)(cur[i] + ((cur[i - bpp] + prev[i]) >> 1));
			} else {
				for (i = (size_t)bpp; i < stride; i++) cur[i] = (unsigned char)(cur[i] + (cur[i - bpp] >> 1));
			}
			break;
		case 4:
			if (prev) {
				for (i = 0; i < (size_t)bpp; i++) cur[i] = (unsigned char)(cur[i] + prev[i]);
				for (; i < stride; i++)
					cur[i] = (unsigned char)(cur[i] + paeth(cur[i - bpp], prev[i], prev[i - bpp]));
			} else {
				/* With no row above, Paeth picks the left byte. */
				for (i = (size_t)bpp; i < stride; i++) cur[i] = (unsigned char)(cur[i] + cur[i - bpp]);
			}
			break;
		default:
			return -1;
		}
		unsigned char *dst = raw + (size_t)y * stride;
		memmove(dst, cur, stride);
		prev = dst;
	}
	return 0;
}
