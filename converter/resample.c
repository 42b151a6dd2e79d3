#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

#include "resample.h"

/* The fixed-point convention of resize.go: weights sum to 1<<14. */
static inline uint8_t clamp8(int32_t v) {
	v = (v + (1 << 13)) >> 14;
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The horizontal pass's weighted sum of n pixels from p, clamped: the
 * bytes of its ch lanes, packed little-endian into the result. */
static inline uint32_t rs_tap_sums_scalar(const uint8_t *p, int ch, const int32_t *w, int n) {
	int32_t s[4] = {0, 0, 0, 0};
	for (int k = 0; k < n; k++) {
		for (int c = 0; c < ch; c++) s[c] += p[ch * k + c] * w[k];
	}
	uint32_t v = 0;
	for (int c = 0; c < ch; c++) v |= (uint32_t)clamp8(s[c]) << (8 * c);
	return v;
}

/* One output pixel of the horizontal pass: the weighted sum of n pixels
 * from p, lanes r, g, b(, a). The SIMD forms load 4 bytes a pixel, so for
 * 3-channel rows they read one byte past the last pixel they use
 * (rs_hpass keeps that inside the buffer) and drop the fourth lane. The
 * products and sums are the scalar loop's, exactly: weights fit in 16 bits
 * (their magnitude stays below 2.0, 1<<15), samples in 8. */
static inline uint32_t rs_tap_sums(const uint8_t *p, int ch, const int32_t *w, const int32_t *pairs, int n) {
#if defined(__SSE2__)
	(void)w;
	const __m128i zero = _mm_setzero_si128();
	__m128i acc = zero;
	int k = 0;
	for (; k + 1 < n; k += 2) {
		uint32_t a, b;
		memcpy(&a, p + ch * k, 4);
		memcpy(&b, p + ch * (k + 1), 4);
		/* r0 r1 g0 g1 b0 b1 a0 a1 as 16-bit lanes, times (w0, w1) pairs. */
		__m128i ab = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b));
		ab = _mm_unpacklo_epi8(ab, zero);
		acc = _mm_add_epi32(acc, _mm_madd_epi16(ab, _mm_set1_epi32(pairs[k / 2])));
	}
	if (k < n) {
		/* The last pair's high weight is 0: the byte after the pixel
		 * counts for nothing. */
		uint32_t a;
		memcpy(&a, p + ch * k, 4);
		__m128i v = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)a), zero);
		v = _mm_unpacklo_epi16(v, zero);
		acc = _mm_add_epi32(acc, _mm_madd_epi16(v, _mm_set1_epi32(pairs[k / 2])));
	}
	acc = _mm_srai_epi32(_mm_add_epi32(acc, _mm_set1_epi32(1 << 13)), 14);
	acc = _mm_packs_epi32(acc, acc);
	return (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(acc, acc));
#elif defined(__ARM_NEON)
	(void)pairs;
	int32x4_t acc = vdupq_n_s32(0);
	for (int k = 0; k < n; k++) {
		uint32_t a;
		memcpy(&a, p + ch * k, 4);
		const int16x4_t v = vreinterpret_s16_u16(vget_low_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(a)))));
		acc = vmlal_n_s16(acc, v, (int16_t)w[k]);
	}
	const int16x4_t v = vqmovn_s32(vrshrq_n_s32(acc, 14));
	return vget_lane_u32(vreinterpret_u32_u8(vqmovun_s16(vcombine_s16(v, v))), 0);
#else
	(void)pairs;
	return rs_tap_sums_scalar(p, ch, w, n);
#endif
}


void rs_hpass(const uint8_t *in, long in_len, int in_stride, uint8_t *out, int out_n, int ch,
              int y0, int y1, rs_taps t) {
	for (int y = y0; y < y1; y++) {
		const long row = (long)y * in_stride;
		uint8_t *o = out + (long)y * out_n * ch;
		for (int i = 0; i < out_n; i++) {
			const long at = row + (long)t.start[i] * ch;
			const int n = t.n[i];
			uint32_t v;
			/* 4-byte loads of 3-byte pixels: the last one must not
			 * reach past the buffer. */
			if (ch == 4 || at + (long)n * 3 + 1 <= in_len) {
				v = rs_tap_sums(in + at, ch, t.w + t.off[i], t.pairs + t.poff[i], n);
			} else {
				v = rs_tap_sums_scalar(in + at, ch, t.w + t.off[i], n);
			}
			if (ch == 4) {
				memcpy(o + 4 * i, &v, 4);
			} else {
				o[3 * i] = (uint8_t)v;
				o[3 * i + 1] = (uint8_t)(v >> 8);
				o[3 * i + 2] = (uint8_t)(v >> 16);
			}
		}
	}
}

/* The plane pass's sum for output i in plain C: n samples from p. */
static inline int32_t rs_plane_sum_scalar(const uint8_t *p, const int16_t *w, int n) {
	int32_t s = 0;
	for (int k = 0; k < n; k++) s += p[k] * w[k];
	return s;
}

/* The plane pass's result: (s + add) >> 14, clamped; the weights already
 * carry the range map's scale and add its offset and the rounding. */
static inline uint8_t rs_plane_out(int32_t s, int32_t add) {
	const int32_t v = (s + add) >> 14;
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

void rs_hpass1(const uint8_t *in, long in_len, int in_stride, uint8_t *out, int out_stride, int out_n,
               int y0, int y1, rs_taps1 t, int32_t add) {
	const int g = t.groups;
	for (int y = y0; y < y1; y++) {
		const long row = (long)y * in_stride;
		uint8_t *o = out + (long)y * out_stride;
		int i = 0;
#if defined(__SSE2__) || defined(__ARM_NEON)
		/* Four outputs a step, 8 samples and 8 weights at a time (the
		 * weights past each output's n are 0, so the samples they meet
		 * count for nothing), while the 8-byte loads stay in the buffer. */
		for (; i + 4 <= out_n; i += 4) {
			int32_t far = t.start[i];
			for (int j = 1; j < 4; j++) far = t.start[i + j] > far ? t.start[i + j] : far;
			if (row + far + 8L * g > in_len) break;
			const uint8_t *p0 = in + row + t.start[i], *p1 = in + row + t.start[i + 1];
			const uint8_t *p2 = in + row + t.start[i + 2], *p3 = in + row + t.start[i + 3];
			const int16_t *w = t.w + (long)i * 8 * g;
#if defined(__SSE2__)
			const __m128i zero = _mm_setzero_si128();
			__m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
			for (int k = 0; k < g; k++) {
#define RS_GROUP(acc, p, j) \
	acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)((p) + 8 * k)), zero), \
	                                        _mm_loadu_si128((const __m128i *)(w + ((long)(j) * g + k) * 8))))
				RS_GROUP(a0, p0, 0);
				RS_GROUP(a1, p1, 1);
				RS_GROUP(a2, p2, 2);
				RS_GROUP(a3, p3, 3);
#undef RS_GROUP
			}
			/* Transpose-add: lane j of s is output i+j's sum. */
			const __m128i s01 = _mm_add_epi32(_mm_unpacklo_epi32(a0, a1), _mm_unpackhi_epi32(a0, a1));
			const __m128i s23 = _mm_add_epi32(_mm_unpacklo_epi32(a2, a3), _mm_unpackhi_epi32(a2, a3));
			__m128i s = _mm_add_epi32(_mm_unpacklo_epi64(s01, s23), _mm_unpackhi_epi64(s01, s23));
			s = _mm_srai_epi32(_mm_add_epi32(s, _mm_set1_epi32(add)), 14);
			s = _mm_packs_epi32(s, s);
			const uint32_t v = (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(s, s));
#else
			int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
			const uint8_t *ps[4] = {p0, p1, p2, p3};
			for (int k = 0; k < g; k++) {
				for (int j = 0; j < 4; j++) {
					const int16x8_t px = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(ps[j] + 8 * k)));
					const int16x8_t wv = vld1q_s16(w + ((long)j * g + k) * 8);
					a[j] = vmlal_s16(a[j], vget_low_s16(px), vget_low_s16(wv));
					a[j] = vmlal_s16(a[j], vget_high_s16(px), vget_high_s16(wv));
				}
			}
			int32x4_t s = vpaddq_s32(vpaddq_s32(a[0], a[1]), vpaddq_s32(a[2], a[3]));
			s = vshrq_n_s32(vaddq_s32(s, vdupq_n_s32(add)), 14);
			const int16x4_t h = vqmovn_s32(s);
			const uint32_t v = vget_lane_u32(vreinterpret_u32_u8(vqmovun_s16(vcombine_s16(h, h))), 0);
#endif
			memcpy(o + i, &v, 4);
		}
#endif
		for (; i < out_n; i++) {
			o[i] = rs_plane_out(rs_plane_sum_scalar(in + row + t.start[i], t.w + (long)i * 8 * g, t.n[i]), add);
		}
	}
}

/* Columns [x, x+16) of one vertical-pass output row, kept in registers
 * over all n taps (rows src + k*stride), then rounded and clamped like
 * clamp8. Returns how many columns it did (16, or 0 without SIMD). */
static inline int rs_vcols16(const uint8_t *src, long stride, const int32_t *w, int n, uint8_t *o) {
#if defined(__SSE2__)
	const __m128i zero = _mm_setzero_si128();
	__m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
	int k = 0;
	for (; k + 1 < n; k += 2) {
		const __m128i r0 = _mm_loadu_si128((const __m128i *)(src + k * stride));
		const __m128i r1 = _mm_loadu_si128((const __m128i *)(src + (k + 1) * stride));
		const __m128i ww = _mm_set1_epi32((int)(((uint32_t)w[k + 1] << 16) | ((uint32_t)w[k] & 0xffff)));
		/* Row k's and row k+1's samples side by side, as 16-bit pairs. */
		const __m128i lo = _mm_unpacklo_epi8(r0, r1), hi = _mm_unpackhi_epi8(r0, r1);
		a0 = _mm_add_epi32(a0, _mm_madd_epi16(_mm_unpacklo_epi8(lo, zero), ww));
		a1 = _mm_add_epi32(a1, _mm_madd_epi16(_mm_unpackhi_epi8(lo, zero), ww));
		a2 = _mm_add_epi32(a2, _mm_madd_epi16(_mm_unpacklo_epi8(hi, zero), ww));
		a3 = _mm_add_epi32(a3, _mm_madd_epi16(_mm_unpackhi_epi8(hi, zero), ww));
	}
	if (k < n) {
		const __m128i r0 = _mm_loadu_si128((const __m128i *)(src + k * stride));
		const __m128i ww = _mm_set1_epi32((int)((uint32_t)w[k] & 0xffff));
		const __m128i lo = _mm_unpacklo_epi8(r0, zero), hi = _mm_unpackhi_epi8(r0, zero);
		a0 = _mm_add_epi32(a0, _mm_madd_epi16(_mm_unpacklo_epi16(lo, zero), ww));
		a1 = _mm_add_epi32(a1, _mm_madd_epi16(_mm_unpackhi_epi16(lo, zero), ww));
		a2 = _mm_add_epi32(a2, _mm_madd_epi16(_mm_unpacklo_epi16(hi, zero), ww));
		a3 = _mm_add_epi32(a3, _mm_madd_epi16(_mm_unpackhi_epi16(hi, zero), ww));
	}
	/* clamp8: (v + 2^13) >> 14, then saturate to 0..255 (the packs). */
	const __m128i half = _mm_set1_epi32(1 << 13);
	a0 = _mm_srai_epi32(_mm_add_epi32(a0, half), 14);
	a1 = _mm_srai_epi32(_mm_add_epi32(a1, half), 14);
	a2 = _mm_srai_epi32(_mm_add_epi32(a2, half), 14);
	a3 = _mm_srai_epi32(_mm_add_epi32(a3, half), 14);
	_mm_storeu_si128((__m128i *)o, _mm_packus_epi16(_mm_packs_epi32(a0, a1), _mm_packs_epi32(a2, a3)));
	return 16;
#elif defined(__ARM_NEON)
	int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
	for (int k = 0; k < n; k++) {
		const uint8x16_t r = vld1q_u8(src + k * stride);
		const int16x8_t lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(r)));
		const int16x8_t hi = vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(r)));
		const int16_t wk = (int16_t)w[k];
		a0 = vmlal_n_s16(a0, vget_low_s16(lo), wk);
		a1 = vmlal_n_s16(a1, vget_high_s16(lo), wk);
		a2 = vmlal_n_s16(a2, vget_low_s16(hi), wk);
		a3 = vmlal_n_s16(a3, vget_high_s16(hi), wk);
	}
	/* clamp8: rounding shift by 14, then saturate to 0..255. */
	const int16x8_t lo = vcombine_s16(vqmovn_s32(vrshrq_n_s32(a0, 14)), vqmovn_s32(vrshrq_n_s32(a1, 14)));
	const int16x8_t hi = vcombine_s16(vqmovn_s32(vrshrq_n_s32(a2, 14)), vqmovn_s32(vrshrq_n_s32(a3, 14)));
	vst1q_u8(o, vcombine_u8(vqmovun_s16(lo), vqmovun_s16(hi)));
	return 16;
#else
	(void)src, (void)stride, (void)w, (void)n, (void)o;
	return 0;
#endif
}

void rs_vpass(const uint8_t *src, int src_stride, int row_bytes, uint8_t *out, int y0, int y1,
              rs_taps t, int32_t *acc) {
	for (int y = y0; y < y1; y++) {
		const int32_t *w = t.w + t.off[y];
		const int n = t.n[y];
		const uint8_t *first = src + (long)t.start[y] * src_stride;
		uint8_t *o = out + (long)y * row_bytes;
		int x = 0;
		for (int step; x + 16 <= row_bytes && (step = rs_vcols16(first + x, src_stride, w, n, o + x)) > 0;) {
			x += step;
		}
		/* The last columns (or all, without SIMD): the plain loop. */
		for (int i = x; i < row_bytes; i++) acc[i] = 0;
		for (int k = 0; k < n; k++) {
			const uint8_t *row = first + (long)k * src_stride;
			const int32_t wk = w[k];
			for (int i = x; i < row_bytes; i++) acc[i] += row[i] * wk;
		}
		for (int i = x; i < row_bytes; i++) o[i] = clamp8(acc[i]);
	}
}

/* (v + n/2) / n without a division: exact for every v < 2^24 (the sums of
 * fewer than 2^16 samples), with m = floor(2^s / n) + 1 and s = 24 +
 * ceil(log2 n), since v * (m*n - 2^s) < 2^s. */
typedef struct {
	uint64_t m;
	int s;
	uint32_t n, half;
} rs_div;

static rs_div rs_divider(uint32_t n) {
	int l = 0;
	while ((1u << l) < n) l++;
	rs_div d = {((uint64_t)1 << (24 + l)) / n + 1, 24 + l, n, n / 2};
	return d;
}

static inline uint8_t rs_avg(uint32_t v, rs_div d) {
	if (d.n >= 1u << 16) return (uint8_t)((v + d.half) / d.n);
	return (uint8_t)(((uint64_t)(v + d.half) * d.m) >> d.s);
}

void rs_box(const uint8_t *src, int src_stride, int out_n, int ch, int kx, int ky, uint8_t *out, int y0,
            int y1, uint32_t *acc) {
	const int wb = out_n * kx * ch, on = out_n * ch;
	const rs_div d = rs_divider((uint32_t)(kx * ky));
	for (int y = y0; y < y1; y++) {
		const uint8_t *r = src + (long)y * ky * src_stride;
		for (int x = 0; x < wb; x++) acc[x] = r[x];
		for (int dy = 1; dy < ky; dy++) {
			r += src_stride;
			for (int x = 0; x < wb; x++) acc[x] += r[x];
		}
		uint8_t *o = out + (long)y * on;
		if (kx == 1) {
			for (int i = 0; i < on; i++) o[i] = rs_avg(acc[i], d);
			continue;
		}
		for (int ox = 0; ox < out_n; ox++) {
			const uint32_t *a = acc + (long)ox * kx * ch;
			for (int c = 0; c < ch; c++) {
				uint32_t s = 0;
				for (int j = 0; j < kx; j++) s += a[j * ch + c];
				o[ox * ch + c] = rs_avg(s, d);
			}
		}
	}
}
