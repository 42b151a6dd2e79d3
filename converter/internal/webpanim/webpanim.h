#ifndef IMGCELLS_WEBPANIM_H
#define IMGCELLS_WEBPANIM_H

#include <stddef.h>
#include <stdint.h>

/* An animated WebP encoder over libwebp's WebPAnimEncoder: full-canvas
 * straight-alpha RGBA frames in, one animated WebP out. */
typedef struct wa_enc wa_enc;

wa_enc *wa_enc_new(int w, int h, int loop, float quality);
int wa_enc_add(wa_enc *e, const uint8_t *rgba, int timestamp_ms);
int wa_enc_finish(wa_enc *e, int end_ms, uint8_t **out, size_t *n);
const char *wa_enc_error(wa_enc *e);
void wa_enc_free(wa_enc *e);
void wa_free(uint8_t *p); /* frees wa_enc_finish's output */

/* An animated WebP decoder over libwebp's WebPAnimDecoder: every frame
 * composited on the canvas (disposal and blending applied), straight RGBA. */
typedef struct wa_dec wa_dec;

typedef struct {
	int width, height, loop, frames;
	uint32_t background;
} wa_info;

wa_dec *wa_dec_new(const uint8_t *data, size_t n, wa_info *info);
/* wa_dec_next copies the next frame's canvas into dst (width*height*4
 * bytes) and returns its end time in ms; -1 when decoding fails or no
 * frame is left. */
int wa_dec_next(wa_dec *d, uint8_t *dst);
void wa_dec_free(wa_dec *d);

#endif
