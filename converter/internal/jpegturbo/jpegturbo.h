#ifndef IMGCELLS_JPEGTURBO_H
#define IMGCELLS_JPEGTURBO_H

#include <stddef.h>
#include <stdint.h>

/* jt_dec wraps one libjpeg decompression; opaque to Go. */
typedef struct jt_dec jt_dec;

/* Header facts and the output geometry after scaling. */
typedef struct {
	int width, height;         /* stored image size */
	int out_width, out_height; /* after DCT scaling */
	int components;            /* 3 (RGB) or 4 (CMYK) */
	int adobe_inverted;        /* CMYK stored inverted (Adobe) */
	/* Set when jt_open was asked for planes and the file allows them (see
	 * jt_open_arriving): then jt_read_planes, not jt_read, reads it. */
	int planar;
	int plane_w[3], plane_h[3];     /* each plane's samples after scaling */
	int plane_stride[3], plane_rows[3]; /* the buffers jt_read_planes needs */
} jt_info;

jt_dec *jt_new(void);
void jt_free(jt_dec *d);
/* jt_open reads the header of src (which must stay valid until jt_free) and
 * starts decompression scaled by 1/denom (1, 2, 4 or 8). Decoding stops
 * with an error once *abort (when not NULL) is non-zero; jt_aborted then
 * says so. */
int jt_open(jt_dec *d, const unsigned char *src, size_t len, int denom, const int32_t *abort, jt_info *info);
/* The states of a file still arriving (jt_open_arriving's *state). */
enum { JT_ARRIVING = 0, JT_COMPLETE = 1, JT_FAILED = 2 };
/* jt_open_arriving is jt_open on a file that is still arriving into src, a
 * buffer of its whole length len: bytes [0, *avail) are there, and
 * *state (JT_ARRIVING, JT_COMPLETE or JT_FAILED) says whether more will
 * come. The writer stores the bytes, then *avail, then *state, each with
 * release semantics. libjpeg waits for bytes it needs that have not come
 * yet; a failed arrival is an error for which jt_arrival_failed says so. */
int jt_open_arriving(jt_dec *d, const unsigned char *src, size_t len, const int64_t *avail, const int32_t *state,
                     int denom, const int32_t *abort, jt_info *info);
/* jt_open_planes is jt_open_arriving asking for the file's own Y, Cb and Cr
 * planes (libjpeg's raw data: no chroma upsampling, no colour conversion)
 * where the file is YCbCr with full-resolution luma and chroma subsampled
 * by at most 2 in each direction; info->planar says whether it got them.
 * With need_w and need_h above 0, the chroma planes are decoded at the
 * smallest DCT scale (no larger than libjpeg's own choice) that keeps at
 * least that many samples across the whole image. */
int jt_open_planes(jt_dec *d, const unsigned char *src, size_t len, const int64_t *avail, const int32_t *state,
                   int denom, int need_w, int need_h, const int32_t *abort, jt_info *info);
int jt_arrival_failed(jt_dec *d);
/* jt_read decodes every scanline into buf (rows of stride bytes). */
int jt_read(jt_dec *d, unsigned char *buf, size_t stride);
/* jt_read_planes decodes every row of the three planes into buffers of
 * info->plane_rows[i] rows of info->plane_stride[i] bytes. */
int jt_read_planes(jt_dec *d, unsigned char *y, unsigned char *cb, unsigned char *cr);
const char *jt_error(jt_dec *d);
int jt_aborted(jt_dec *d);

/* jt_encode compresses packed RGB rows; *out is malloc'ed, free with
 * jt_free_buf. It returns 1, having freed everything, when *abort (when not
 * NULL) becomes non-zero between rows. */
int jt_encode(const unsigned char *rgb, int width, int height, int quality, const int32_t *abort,
              unsigned char **out, unsigned long *out_len, char *err, size_t errlen);
void jt_free_buf(unsigned char *p);

#endif
