#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "abort.h"
#include "fast.h"

/* Each Adam7 pass's first column, column step, first row and row step. */
static const int adam7[7][4] = {{0, 8, 0, 8}, {4, 8, 0, 8}, {0, 4, 4, 8}, {2, 4, 0, 4},
                                {0, 2, 2, 4}, {1, 2, 0, 2}, {0, 1, 1, 2}};

/* libpng refuses an IDAT chunk past its length limit, which is at least
 * this (its default chunk allocation limit): longer ones go to libpng. */
#define IDAT_MAX 8000000u

static int channels(int colour) {
	switch (colour) {
	case 2: return 3;
	case 4: return 2;
	case 6: return 4;
	}
	return 1;
}

static size_t span(int n, int start, int step) {
	return n > start ? (size_t)(n - start + step - 1) / (size_t)step : 0;
}

static size_t row_bytes(const fp_info *fi, size_t w) {
	return (w * (size_t)(channels(fi->colour) * fi->depth) + 7) / 8;
}

/* pass gives pass p's size and placement; a non-interlaced image is one
 * pass of step 1. */
static void pass(const fp_info *fi, int p, size_t *w, size_t *h, const int **at) {
	static const int whole[4] = {0, 1, 0, 1};
	*at = fi->interlaced ? adam7[p] : whole;
	*w = span(fi->width, (*at)[0], (*at)[1]);
	*h = span(fi->height, (*at)[2], (*at)[3]);
}

void fp_layout(fp_info *fi) {
	size_t raw = 0;
	for (int p = 0; p < (fi->interlaced ? 7 : 1); p++) {
		size_t w, h;
		const int *at;
		pass(fi, p, &w, &h, &at);
		if (w > 0 && h > 0) raw += h * (1 + row_bytes(fi, w));
	}
	fi->raw_len = raw;
	fi->out_len = (size_t)fi->width * (size_t)fi->height * (size_t)fi->out_ch;
}

static uint32_t be32(const unsigned char *p) {
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* gather returns the zlib stream of the consecutive IDAT chunks from
 * fi->idat, every CRC checked, as libpng reads them; *joined is the copy
 * to free when there are several. NULL when a chunk is damaged, cut short
 * or longer than IDAT_MAX. */
static const unsigned char *gather(const fp_info *fi, size_t *len, unsigned char **joined) {
	const unsigned char *end = fi->idat + fi->left, *p = fi->idat;
	size_t n = fi->idat_len, total = 0, count = 0;
	uint32_t tag = libdeflate_crc32(0, "IDAT", 4);
	for (;;) {
		if (n > (size_t)(end - p) || (size_t)(end - p) - n < 4) return NULL;
		if (libdeflate_crc32(tag, p, n) != be32(p + n)) return NULL;
		total += n;
		count++;
		const unsigned char *q = p + n + 4;
		if (end - q < 8 || memcmp(q + 4, "IDAT", 4) != 0) break;
		if (be32(q) > IDAT_MAX) return NULL;
		p = q + 8;
		n = be32(q);
	}
	*len = total;
	if (count == 1) return fi->idat;
	unsigned char *z = malloc(total ? total : 1);
	if (z == NULL) return NULL;
	p = fi->idat;
	n = fi->idat_len;
	for (size_t k = 0, at = 0; k < count; k++) {
		memcpy(z + at, p, n);
		at += n;
		p += n + 4 + 8;
		n = be32(p - 8);
	}
	*joined = z;
	return z;
}

/* inflate fills raw with exactly raw_len bytes from one whole zlib stream,
 * refusing one zlib would refuse: a distance past the window its header
 * declares (libdeflate does not look). */
static int inflate_all(const unsigned char *z, size_t zlen, unsigned char *raw, size_t raw_len) {
	if (zlen < 2) return -1;
	int window = (z[0] >> 4) + 8;
	if (window < 15 && raw_len > ((size_t)1 << window)) return -1;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (d == NULL) return -1;
	size_t in = 0, out = 0;
	enum libdeflate_result r = libdeflate_zlib_decompress_ex(d, z, zlen, raw, raw_len, &in, &out);
	libdeflate_free_decompressor(d);
	return r == LIBDEFLATE_SUCCESS && in == zlen && out == raw_len ? 0 : -1;
}

/* scale16 is libpng's png_set_scale_16 rounding of a 16-bit sample. */
static inline unsigned char scale16(const unsigned char *s) {
	int t = s[0];
	return (unsigned char)(t + ((((int)s[1] - t + 128) * 65535) >> 24));
}

static inline unsigned sample(const unsigned char *s, size_t i, int depth) {
	size_t bit = i * (size_t)depth;
	return (unsigned)(s[bit >> 3] >> (8 - depth - (int)(bit & 7))) & ((1u << depth) - 1);
}

/* convert turns n unfiltered pixels of s into 8-bit RGB or RGBA at o,
 * step bytes apart, as libpng's expand, gray_to_rgb and scale_16 do. */
static void convert(const fp_info *fi, const unsigned char *s, size_t n, unsigned char *o, size_t step) {
	const int d = fi->depth, alpha = fi->out_ch == 4, keyed = fi->keyed;
	const unsigned mask = (1u << (d < 16 ? d : 8)) - 1;
	size_t i;
	switch (fi->colour * 32 + d) {
	case 2 * 32 + 8:
		if (!keyed && step == 3) {
			memcpy(o, s, n * 3);
			return;
		}
		for (i = 0; i < n; i++, s += 3, o += step) {
			o[0] = s[0], o[1] = s[1], o[2] = s[2];
			if (alpha) o[3] = s[0] == (fi->key[0] & 0xff) && s[1] == (fi->key[1] & 0xff) && s[2] == (fi->key[2] & 0xff) ? 0 : 255;
		}
		return;
	case 6 * 32 + 8:
		if (step == 4) {
			memcpy(o, s, n * 4);
			return;
		}
		for (i = 0; i < n; i++, s += 4, o += step) memcpy(o, s, 4);
		return;
	case 4 * 32 + 8:
		for (i = 0; i < n; i++, s += 2, o += step) o[0] = o[1] = o[2] = s[0], o[3] = s[1];
		return;
	case 0 * 32 + 8:
		for (i = 0; i < n; i++, s++, o += step) {
			o[0] = o[1] = o[2] = s[0];
			if (alpha) o[3] = s[0] == (fi->key[0] & 0xff) ? 0 : 255;
		}
		return;
	case 2 * 32 + 16:
		for (i = 0; i < n; i++, s += 6, o += step) {
			o[0] = scale16(s), o[1] = scale16(s + 2), o[2] = scale16(s + 4);
			if (alpha) o[3] = be32(s) == ((uint32_t)fi->key[0] << 16 | fi->key[1]) && (s[4] << 8 | s[5]) == fi->key[2] ? 0 : 255;
		}
		return;
	case 6 * 32 + 16:
		for (i = 0; i < n; i++, s += 8, o += step)
			o[0] = scale16(s), o[1] = scale16(s + 2), o[2] = scale16(s + 4), o[3] = scale16(s + 6);
		return;
	case 4 * 32 + 16:
		for (i = 0; i < n; i++, s += 4, o += step) o[0] = o[1] = o[2] = scale16(s), o[3] = scale16(s + 2);
		return;
	case 0 * 32 + 16:
		for (i = 0; i < n; i++, s += 2, o += step) {
			o[0] = o[1] = o[2] = scale16(s);
			if (alpha) o[3] = (s[0] << 8 | s[1]) == fi->key[0] ? 0 : 255;
		}
		return;
	}
	if (fi->colour == 3) {
		for (i = 0; i < n; i++, o += step) {
			const unsigned char *c = fi->palette + 4 * (d == 8 ? s[i] : sample(s, i, d));
			o[0] = c[0], o[1] = c[1], o[2] = c[2];
			if (alpha) o[3] = c[3];
		}
		return;
	}
	/* Grey of 1, 2 or 4 bits: libpng scales by bit replication (times 255,
	 * 85 or 17) and keys on the masked tRNS grey. */
	for (i = 0; i < n; i++, o += step) {
		unsigned v = sample(s, i, d);
		o[0] = o[1] = o[2] = (unsigned char)(v * (255 / mask));
		if (alpha) o[3] = v == (fi->key[0] & mask) ? 0 : 255;
	}
}

int fp_decode(const fp_info *fi, unsigned char *raw, unsigned char *out, const int32_t *abort) {
	if (abort_set(abort)) return 1;
	size_t zlen = 0;
	unsigned char *joined = NULL;
	const unsigned char *z = gather(fi, &zlen, &joined);
	if (z == NULL) return -1;
	int rc = inflate_all(z, zlen, raw, fi->raw_len);
	free(joined);
	if (rc != 0) return -1;

	int bpp = channels(fi->colour) * fi->depth / 8;
	if (bpp < 1) bpp = 1;
	size_t stride = row_bytes(fi, (size_t)fi->width) + 16; /* filter.c reads 8 bytes past a row */
	unsigned char *rows = malloc(2 * stride);
	if (rows == NULL) return -1;
	unsigned char *prev = rows, *cur = rows + stride;
	memset(rows, 0, 2 * stride);
	const unsigned char *src = raw;
	for (int p = 0; p < (fi->interlaced ? 7 : 1) && rc == 0; p++) {
		size_t w, h;
		const int *at;
		pass(fi, p, &w, &h, &at);
		if (w == 0 || h == 0) continue;
		size_t n = row_bytes(fi, w);
		memset(prev, 0, n);
		for (size_t y = 0; y < h; y++) {
			if ((y & 31) == 0 && abort_set(abort)) {
				rc = 1;
				break;
			}
			/* A row is copied out before anything is written over it:
			 * raw may share out's buffer (fast.go). */
			memcpy(cur, src + 1, n);
			if (fp_unfilter(src[0], cur, prev, n, bpp) != 0) {
				rc = -1;
				break;
			}
			src += n + 1;
			size_t oy = (size_t)at[2] + y * (size_t)at[3];
			unsigned char *o = out + (oy * (size_t)fi->width + (size_t)at[0]) * (size_t)fi->out_ch;
			convert(fi, cur, w, o, (size_t)(at[1] * fi->out_ch));
			unsigned char *t = prev;
			prev = cur;
			cur = t;
		}
	}
	free(rows);
	return rc;
}
