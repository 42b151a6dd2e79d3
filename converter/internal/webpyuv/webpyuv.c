#include "webpyuv.h"

#include "webp/encode.h"

int wy_encode(const uint8_t *y, int y_stride, const uint8_t *u, const uint8_t *v, int uv_stride, int w, int h,
              float quality, uint8_t **out, size_t *n) {
	WebPConfig config;
	WebPPicture pic;
	WebPMemoryWriter wr;
	*out = NULL;
	*n = 0;
	/* What WebPEncodeRGB sets up: the default preset at quality, lossy. */
	if (!WebPConfigPreset(&config, WEBP_PRESET_DEFAULT, quality) || !WebPPictureInit(&pic)) {
		return VP8_ENC_ERROR_INVALID_CONFIGURATION;
	}
	pic.use_argb = 0;
	pic.colorspace = WEBP_YUV420;
	pic.width = w;
	pic.height = h;
	/* The caller's planes, read in place: the picture owns no memory. */
	pic.y = (uint8_t *)y;
	pic.u = (uint8_t *)u;
	pic.v = (uint8_t *)v;
	pic.y_stride = y_stride;
	pic.uv_stride = uv_stride;
	WebPMemoryWriterInit(&wr);
	pic.writer = WebPMemoryWrite;
	pic.custom_ptr = &wr;
	if (!WebPEncode(&config, &pic)) {
		int code = pic.error_code != VP8_ENC_OK ? (int)pic.error_code : VP8_ENC_ERROR_BAD_WRITE;
		WebPMemoryWriterClear(&wr);
		WebPPictureFree(&pic);
		return code;
	}
	WebPPictureFree(&pic);
	*out = wr.mem;
	*n = wr.size;
	return 0;
}

void wy_free(uint8_t *p) { WebPFree(p); }
