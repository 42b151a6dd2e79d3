#include "webpanim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webp/demux.h"
#include "webp/encode.h"
#include "webp/mux.h"

struct wa_enc {
	WebPAnimEncoder *enc;
	WebPConfig config;
	int w, h;
	char err[96];
};

wa_enc *wa_enc_new(int w, int h, int loop, float quality) {
	wa_enc *e = calloc(1, sizeof *e);
	if (e == NULL) return NULL;
	WebPAnimEncoderOptions opt;
	if (!WebPAnimEncoderOptionsInit(&opt) || !WebPConfigInit(&e->config)) {
		free(e);
		return NULL;
	}
	opt.anim_params.loop_count = loop;
	opt.anim_params.bgcolor = 0; /* transparent: what a GIF's disposal restores to in browsers */
	e->config.quality = quality;
	e->w = w;
	e->h = h;
	e->enc = WebPAnimEncoderNew(w, h, &opt);
	if (e->enc == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

int wa_enc_add(wa_enc *e, const uint8_t *rgba, int timestamp_ms) {
	WebPPicture pic;
	if (!WebPPictureInit(&pic)) return 0;
	pic.use_argb = 1;
	pic.width = e->w;
	pic.height = e->h;
	int ok = WebPPictureImportRGBA(&pic, rgba, e->w * 4) &&
	         WebPAnimEncoderAdd(e->enc, &pic, timestamp_ms, &e->config);
	if (!ok && pic.error_code != VP8_ENC_OK) {
		snprintf(e->err, sizeof e->err, "libwebp encoder error %d", (int)pic.error_code);
	}
	WebPPictureFree(&pic);
	return ok;
}

int wa_enc_finish(wa_enc *e, int end_ms, uint8_t **out, size_t *n) {
	WebPData data;
	WebPDataInit(&data);
	if (!WebPAnimEncoderAdd(e->enc, NULL, end_ms, NULL) || !WebPAnimEncoderAssemble(e->enc, &data)) {
		return 0;
	}
	*out = (uint8_t *)data.bytes;
	*n = data.size;
	return 1;
}

const char *wa_enc_error(wa_enc *e) {
	if (e->err[0] != 0) return e->err;
	const char *m = WebPAnimEncoderGetError(e->enc);
	return m != NULL ? m : "";
}

void wa_enc_free(wa_enc *e) {
	if (e == NULL) return;
	WebPAnimEncoderDelete(e->enc);
	free(e);
}

struct wa_dec {
	WebPAnimDecoder *dec;
	uint8_t *data; /* the file, owned: the decoder reads it as it goes */
	size_t canvas;
};

wa_dec *wa_dec_new(const uint8_t *src, size_t n, wa_info *info) {
	wa_dec *d = calloc(1, sizeof *d);
	if (d == NULL) return NULL;
	d->data = malloc(n);
	if (d->data == NULL) {
		free(d);
		return NULL;
	}
	memcpy(d->data, src, n);
	WebPData data = {d->data, n};
	WebPAnimDecoderOptions opt;
	WebPAnimInfo ai;
	if (!WebPAnimDecoderOptionsInit(&opt)) goto fail;
	opt.color_mode = MODE_RGBA;
	opt.use_threads = 0;
	d->dec = WebPAnimDecoderNew(&data, &opt);
	if (d->dec == NULL || !WebPAnimDecoderGetInfo(d->dec, &ai)) goto fail;
	info->width = (int)ai.canvas_width;
	info->height = (int)ai.canvas_height;
	info->loop = (int)ai.loop_count;
	info->frames = (int)ai.frame_count;
	info->background = ai.bgcolor;
	d->canvas = (size_t)ai.canvas_width * ai.canvas_height * 4;
	return d;
fail:
	wa_dec_free(d);
	return NULL;
}

int wa_dec_next(wa_dec *d, uint8_t *dst) {
	uint8_t *buf;
	int ts;
	if (!WebPAnimDecoderHasMoreFrames(d->dec) || !WebPAnimDecoderGetNext(d->dec, &buf, &ts)) return -1;
	memcpy(dst, buf, d->canvas);
	return ts;
}

void wa_dec_free(wa_dec *d) {
	if (d == NULL) return;
	if (d->dec != NULL) WebPAnimDecoderDelete(d->dec);
	free(d->data);
	free(d);
}

void wa_free(uint8_t *p) { WebPFree(p); }
