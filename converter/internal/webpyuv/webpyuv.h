#ifndef IMGCELLS_WEBPYUV_H
#define IMGCELLS_WEBPYUV_H

#include <stddef.h>
#include <stdint.h>

/* wy_encode encodes a w×h picture given as VP8's own planes (BT.601
 * limited-range Y at w×h, U and V at ceil(w/2)×ceil(h/2)) as lossy WebP at
 * quality, with the settings of libwebp's WebPEncodeRGB. On success *out is
 * libwebp's buffer (free with wy_free) and it returns 0; otherwise libwebp's
 * error code. */
int wy_encode(const uint8_t *y, int y_stride, const uint8_t *u, const uint8_t *v, int uv_stride, int w, int h,
              float quality, uint8_t **out, size_t *n);
void wy_free(uint8_t *p);

#endif
