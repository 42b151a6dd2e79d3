#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fast.h"

/* The PNG row filters, reversed in place. Sub, Average and Paeth depend on
 * the pixel to the left, so a row is a chain of pixels; for pixels of 2 to
 * 8 bytes each pixel is one small vector (GCC's portable vector extension:
 * SSE2 on amd64, NEON on arm64) of 16-bit lanes, one lane a byte. Rows
 * must have 8 readable bytes past their end (fast.c pads its row buffers):
 * a pixel is loaded as 8 bytes, and stored as exactly bpp. */

typedef int16_t v8 __attribute__((vector_size(16)));
typedef uint8_t b8 __attribute__((vector_size(8)));

#define INLINE static inline __attribute__((always_inline))

INLINE v8 ld(const unsigned char *p) {
	b8 b;
	memcpy(&b, p, 8);
	return __builtin_convertvector(b, v8);
}

INLINE void st(unsigned char *p, v8 v, int bpp) {
	b8 b = __builtin_convertvector(v, b8);
	memcpy(p, &b, (size_t)bpp);
}

INLINE v8 vabs(v8 v) {
	v8 m = v >> 15;
	return (v ^ m) - m;
}

/* The first pixel has no left neighbour (a = c = 0). */
INLINE void sub_v(unsigned char *cur, size_t n, int bpp) {
	v8 a = ld(cur);
	for (size_t i = (size_t)bpp; i < n; i += (size_t)bpp) {
		a = (ld(cur + i) + a) & 0xff;
		st(cur + i, a, bpp);
	}
}

INLINE void avg_v(unsigned char *cur, const unsigned char *prev, size_t n, int bpp) {
	v8 a = {0};
	for (size_t i = 0; i < n; i += (size_t)bpp) {
		a = (ld(cur + i) + ((a + ld(prev + i)) >> 1)) & 0xff;
		st(cur + i, a, bpp);
	}
}

INLINE void paeth_v(unsigned char *cur, const unsigned char *prev, size_t n, int bpp) {
	v8 a = {0}, c = {0};
	for (size_t i = 0; i < n; i += (size_t)bpp) {
		v8 b = ld(prev + i);
		v8 pa = b - c, pb = a - c;
		v8 pc = vabs(pa + pb);
		pa = vabs(pa);
		pb = vabs(pb);
		/* a when pa <= pb and pa <= pc, else b when pb <= pc, else c. */
		v8 not_a = (pb < pa) | (pc < pa);
		v8 is_c = pc < pb;
		v8 pred = (not_a & ((is_c & c) | (~is_c & b))) | (~not_a & a);
		a = (ld(cur + i) + pred) & 0xff;
		st(cur + i, a, bpp);
		c = b;
	}
}

static int paeth1(int a, int b, int c) {
	int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
	int bc = pb <= pc ? b : c;
	return pa <= pb && pa <= pc ? a : bc;
}

/* One byte per step: grey, palette and sub-byte pixels. */
static void unfilter1(int filter, unsigned char *cur, const unsigned char *prev, size_t n) {
	size_t i;
	switch (filter) {
	case 1:
		for (i = 1; i < n; i++) cur[i] = (unsigned char)(cur[i] + cur[i - 1]);
		break;
	case 3:
		cur[0] = (unsigned char)(cur[0] + (prev[0] >> 1));
		for (i = 1; i < n; i++) cur[i] = (unsigned char)(cur[i] + ((cur[i - 1] + prev[i]) >> 1));
		break;
	case 4:
		cur[0] = (unsigned char)(cur[0] + prev[0]);
		for (i = 1; i < n; i++) cur[i] = (unsigned char)(cur[i] + paeth1(cur[i - 1], prev[i], prev[i - 1]));
		break;
	}
}

#define BY_BPP(call)             \
	switch (bpp) {               \
	case 2: call(2); break;      \
	case 3: call(3); break;      \
	case 4: call(4); break;      \
	case 6: call(6); break;      \
	default: call(8); break;     \
	}

int fp_unfilter(int filter, unsigned char *cur, const unsigned char *prev, size_t n, int bpp) {
	if (filter > 4) return -1;
	if (filter == 0) return 0;
	if (filter == 2) {
		for (size_t i = 0; i < n; i++) cur[i] = (unsigned char)(cur[i] + prev[i]);
		return 0;
	}
	if (bpp == 1) {
		unfilter1(filter, cur, prev, n);
		return 0;
	}
#define SUB(k) sub_v(cur, n, k)
#define AVG(k) avg_v(cur, prev, n, k)
#define PAETH(k) paeth_v(cur, prev, n, k)
	if (filter == 1) {
		BY_BPP(SUB)
	} else if (filter == 3) {
		BY_BPP(AVG)
	} else {
		BY_BPP(PAETH)
	}
	return 0;
}
