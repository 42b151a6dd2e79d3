#include "aom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aom/aom_encoder.h>
#include <aom/aomcx.h>

static int fail(aom_codec_ctx_t *ctx, const char *what, char *err, size_t errlen) {
	const char *detail = ctx ? aom_codec_error_detail(ctx) : NULL;
	snprintf(err, errlen, "%s: %s%s%s", what, ctx ? aom_codec_error(ctx) : "failed", detail ? ": " : "",
	         detail ? detail : "");
	return -1;
}

#define CTRL(id, v)                                                                                    \
	do {                                                                                           \
		if (aom_codec_control(&ctx, id, v) != AOM_CODEC_OK) {                                  \
			rc = fail(&ctx, #id, err, errlen);                                             \
			goto done;                                                                     \
		}                                                                                      \
	} while (0)

int ia_encode(const ia_params *p, const uint8_t *y, int y_stride, const uint8_t *u, const uint8_t *v,
              int uv_stride, uint8_t **out, size_t *out_len, char *err, size_t errlen) {
	*out = NULL;
	*out_len = 0;
	aom_codec_iface_t *iface = aom_codec_av1_cx();
	aom_codec_enc_cfg_t cfg;
	if (aom_codec_enc_config_default(iface, &cfg, AOM_USAGE_ALL_INTRA) != AOM_CODEC_OK) {
		return fail(NULL, "aom_codec_enc_config_default", err, errlen);
	}
	cfg.g_w = (unsigned)p->width;
	cfg.g_h = (unsigned)p->height;
	cfg.g_profile = 0; /* Main: 8-bit 4:2:0 and monochrome */
	cfg.g_bit_depth = AOM_BITS_8;
	cfg.g_input_bit_depth = 8;
	cfg.g_threads = (unsigned)(p->threads > 1 ? p->threads : 1);
	/* One frame: libaom then writes a still picture sequence header, and
	 * with full_still_picture_hdr 0 the reduced one. */
	cfg.g_limit = 1;
	cfg.g_lag_in_frames = 0;
	cfg.rc_end_usage = AOM_Q;
	cfg.monochrome = p->monochrome ? 1 : 0;
	cfg.full_still_picture_hdr = 0;

	aom_codec_ctx_t ctx;
	if (aom_codec_enc_init(&ctx, iface, &cfg, 0) != AOM_CODEC_OK) {
		return fail(&ctx, "aom_codec_enc_init", err, errlen);
	}
	int rc = 0;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	CTRL(AOME_SET_CPUUSED, p->speed);
	CTRL(AOME_SET_CQ_LEVEL, (unsigned)p->cq_level);
	CTRL(AV1E_SET_COLOR_PRIMARIES, AOM_CICP_CP_BT_709);
	CTRL(AV1E_SET_TRANSFER_CHARACTERISTICS, AOM_CICP_TC_SRGB);
	CTRL(AV1E_SET_MATRIX_COEFFICIENTS, p->matrix);
	CTRL(AV1E_SET_COLOR_RANGE, p->full_range ? AOM_CR_FULL_RANGE : AOM_CR_STUDIO_RANGE);
	if (p->lossless) {
		CTRL(AV1E_SET_LOSSLESS, 1u);
	}
	if (p->threads > 1) {
		CTRL(AV1E_SET_ROW_MT, 1u);
	}
	if (p->tune >= 0) {
		CTRL(AOME_SET_TUNING, p->tune);
	}
	if (p->deltaq_mode >= 0) {
		CTRL(AV1E_SET_DELTAQ_MODE, (unsigned)p->deltaq_mode);
	}
	if (p->enable_qm >= 0) {
		CTRL(AV1E_SET_ENABLE_QM, (unsigned)p->enable_qm);
	}
	if (p->sharpness >= 0) {
		CTRL(AOME_SET_SHARPNESS, (unsigned)p->sharpness);
	}
	if (p->chroma_deltaq >= 0) {
		CTRL(AV1E_SET_ENABLE_CHROMA_DELTAQ, p->chroma_deltaq);
	}
	/* Intra block copy is a screen-content tool: libaom searches it in
	 * images it takes for screen content, and a smooth gradient (few
	 * colours to a block) is taken for one. At speed 6 that search cost a
	 * gradient about 2 us a pixel, 15 times the rest of its encode, and
	 * saved no byte (BenchmarkWorstCase); photographs never use it.
	 * Palettes stay on: they make flat graphics several times smaller. */
	CTRL(AV1E_SET_ENABLE_INTRABC, 0);
	if (p->rect_partitions >= 0) {
		CTRL(AV1E_SET_ENABLE_RECT_PARTITIONS, p->rect_partitions);
	}
	aom_image_t img;
	if (!aom_img_wrap(&img, AOM_IMG_FMT_I420, (unsigned)p->width, (unsigned)p->height, 1, (unsigned char *)y)) {
		rc = fail(NULL, "aom_img_wrap", err, errlen);
		goto done;
	}
	img.planes[AOM_PLANE_Y] = (unsigned char *)y;
	img.planes[AOM_PLANE_U] = (unsigned char *)u;
	img.planes[AOM_PLANE_V] = (unsigned char *)v;
	img.stride[AOM_PLANE_Y] = y_stride;
	img.stride[AOM_PLANE_U] = uv_stride;
	img.stride[AOM_PLANE_V] = uv_stride;
	img.cp = AOM_CICP_CP_BT_709;
	img.tc = AOM_CICP_TC_SRGB;
	img.mc = (aom_matrix_coefficients_t)p->matrix;
	img.range = p->full_range ? AOM_CR_FULL_RANGE : AOM_CR_STUDIO_RANGE;
	img.monochrome = p->monochrome ? 1 : 0;

	/* Encode the frame, then flush: a NULL image drains the encoder. */
	for (int pass = 0; pass < 2; pass++) {
		if (aom_codec_encode(&ctx, pass == 0 ? &img : NULL, 0, 1, 0) != AOM_CODEC_OK) {
			rc = fail(&ctx, "aom_codec_encode", err, errlen);
			goto done;
		}
		aom_codec_iter_t iter = NULL;
		const aom_codec_cx_pkt_t *pkt;
		while ((pkt = aom_codec_get_cx_data(&ctx, &iter)) != NULL) {
			if (pkt->kind != AOM_CODEC_CX_FRAME_PKT) {
				continue;
			}
			size_t n = pkt->data.frame.sz;
			if (len + n > cap) {
				size_t ncap = (len + n) * 2;
				uint8_t *nb = realloc(buf, ncap);
				if (!nb) {
					snprintf(err, errlen, "out of memory for %zu bytes", ncap);
					rc = -1;
					goto done;
				}
				buf = nb;
				cap = ncap;
			}
			memcpy(buf + len, pkt->data.frame.buf, n);
			len += n;
		}
	}
	if (len == 0) {
		snprintf(err, errlen, "libaom wrote no frame");
		rc = -1;
	}
done:
	aom_codec_destroy(&ctx);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

void ia_free(uint8_t *p) { free(p); }
