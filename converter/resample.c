#include "resample.h"

/* The fixed-point convention of resize.go: weights sum to 1<<14. */
static inline uint8_t clamp8(int32_t v) {
	v = (v + (1 << 13)) >> 14;
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

void rs_hpass(const uint8_t *in, int in_stride, uint8_t *out, int out_n, int ch,
              int y0, int y1, rs_taps t) {
	for (int y = y0; y < y1; y++) {
		const uint8_t *row = in + (long)y * in_stride;
		uint8_t *o = out + (long)y * out_n * ch;
		if (ch == 3) {
			for (int i = 0; i < out_n; i++) {
				const uint8_t *p = row + t.start[i] * 3;
				const int32_t *w = t.w + t.off[i];
				int32_t r = 0, g = 0, b = 0;
				for (int k = 0; k < t.n[i]; k++) {
					r += p[3 * k] * w[k];
					g += p[3 * k + 1] * w[k];
					b += p[3 * k + 2] * w[k];
				}
				o[3 * i] = clamp8(r);
				o[3 * i + 1] = clamp8(g);
				o[3 * i + 2] = clamp8(b);
			}
		} else {
			for (int i = 0; i < out_n; i++) {
				const uint8_t *p = row + t.start[i] * 4;
				const int32_t *w = t.w + t.off[i];
				int32_t r = 0, g = 0, b = 0, a = 0;
				for (int k = 0; k < t.n[i]; k++) {
					r += p[4 * k] * w[k];
					g += p[4 * k + 1] * w[k];
					b += p[4 * k + 2] * w[k];
					a += p[4 * k + 3] * w[k];
				}
				o[4 * i] = clamp8(r);
				o[4 * i + 1] = clamp8(g);
				o[4 * i + 2] = clamp8(b);
				o[4 * i + 3] = clamp8(a);
			}
		}
	}
}

void rs_vpass(const uint8_t *src, int src_stride, int row_bytes, uint8_t *out, int y0, int y1,
              rs_taps t, int32_t *acc) {
	for (int y = y0; y < y1; y++) {
		for (int x = 0; x < row_bytes; x++) acc[x] = 0;
		const int32_t *w = t.w + t.off[y];
		for (int k = 0; k < t.n[y]; k++) {
			const uint8_t *row = src + (long)(t.start[y] + k) * src_stride;
			const int32_t wk = w[k];
			for (int x = 0; x < row_bytes; x++) acc[x] += row[x] * wk;
		}
		uint8_t *o = out + (long)y * row_bytes;
		for (int x = 0; x < row_bytes; x++) o[x] = clamp8(acc[x]);
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
