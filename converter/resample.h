#ifndef IMGCELLS_RESAMPLE_H
#define IMGCELLS_RESAMPLE_H

#include <stdint.h>

/* Filter taps along one axis: output i reads n[i] samples from start[i]
 * with weights w[off[i] .. off[i]+n[i]), 14-bit fixed point. */
typedef struct {
	const int32_t *start, *n, *off, *w;
	/* The weights two by two, w[k] in the low 16 bits and w[k+1] (0 past
	 * the last) in the high: output i's from pairs[poff[i]]. */
	const int32_t *pairs, *poff;
} rs_taps;

/* rs_hpass filters rows [y0, y1) of in (rows of in_stride bytes, ch bytes
 * per pixel, in_len bytes readable from in) into out (out_n pixels per
 * row). */
void rs_hpass(const uint8_t *in, long in_len, int in_stride, uint8_t *out, int out_n, int ch,
              int y0, int y1, rs_taps t);

/* rs_vpass computes output rows [y0, y1) of row_bytes each from the rows
 * of src (src_stride bytes apart; taps index them). acc is scratch for
 * row_bytes int32 sums. */
void rs_vpass(const uint8_t *src, int src_stride, int row_bytes, uint8_t *out, int y0, int y1,
              rs_taps t, int32_t *acc);

/* Taps for one-sample pixels (a plane): output i reads 8*groups samples
 * from start[i] with 16-bit weights w[8*groups*i ..], zero past its n[i]
 * (every output has the same number of groups). */
typedef struct {
	const int32_t *start, *n;
	const int16_t *w;
	int groups;
} rs_taps1;

/* rs_hpass1 is rs_hpass over a plane (one byte per pixel) into rows of
 * out_stride bytes: each result is (sum + add) >> 14, clamped to 0..255
 * (the weights carry a range map's scale, add its offset and the
 * rounding: one rounding in all). */
void rs_hpass1(const uint8_t *in, long in_len, int in_stride, uint8_t *out, int out_stride, int out_n,
               int y0, int y1, rs_taps1 t, int32_t add);

/* rs_box averages kx×ky blocks into output rows [y0, y1) of out_n
 * pixels (ch bytes each): output row y, pixel x is the rounded mean of the
 * block at source row y*ky, pixel x*kx (src rows src_stride bytes apart).
 * acc is scratch for out_n*kx*ch sums. */
void rs_box(const uint8_t *src, int src_stride, int out_n, int ch, int kx, int ky, uint8_t *out, int y0,
            int y1, uint32_t *acc);

#endif
