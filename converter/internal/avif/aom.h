#ifndef IMGCELLS_AOM_H
#define IMGCELLS_AOM_H

#include <stddef.h>
#include <stdint.h>

/* What one still-image encode asks of libaom. The tuning fields take
 * libaom's own values; a negative value leaves libaom's default. */
typedef struct {
	int width, height;
	int monochrome;  /* 1: only the Y plane (an alpha image) */
	int speed;       /* cpu-used */
	int cq_level;    /* 0-63 */
	int threads;     /* 1: single-threaded; more turns on row multithreading */
	int matrix;      /* CICP matrix coefficients of the planes */
	int full_range;  /* 1: 0-255 samples */
	int tune;        /* aom_tune_metric */
	int deltaq_mode;
	int enable_qm;
	int sharpness;
	int chroma_deltaq;
	int lossless;    /* 1: lossless (cq_level is then ignored) */
	int rect_partitions;
} ia_params;

/* ia_encode encodes 8-bit 4:2:0 planes (u and v are ignored, but must be
 * valid, for a monochrome image) as one AV1 temporal unit, in *out
 * (malloc'ed: free with ia_free). It returns 0, or -1 with a message in
 * err; libaom's state is freed on every path. */
int ia_encode(const ia_params *p, const uint8_t *y, int y_stride, const uint8_t *u, const uint8_t *v,
              int uv_stride, uint8_t **out, size_t *out_len, char *err, size_t errlen);
void ia_free(uint8_t *p);

#endif
