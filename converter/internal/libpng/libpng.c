#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "libpng.h"

static void copy_msg(png_imagep img, char *err, size_t errlen) {
	strncpy(err, img->message, errlen - 1);
	err[errlen - 1] = 0;
}

int lp_begin(lp_image *li, const unsigned char *src, size_t len, char *err, size_t errlen) {
	png_imagep img = calloc(1, sizeof(png_image));
	if (img == NULL) return -1;
	img->version = PNG_IMAGE_VERSION;
	li->img = img;
	if (!png_image_begin_read_from_memory(img, src, len)) {
		copy_msg(img, err, errlen);
		return -1;
	}
	li->width = (int)img->width;
	li->height = (int)img->height;
	li->alpha = (img->format & PNG_FORMAT_FLAG_ALPHA) != 0;
	return 0;
}

int lp_finish(lp_image *li, unsigned char *buf, char *err, size_t errlen) {
	png_imagep img = (png_imagep)li->img;
	/* 8-bit sRGB samples, alpha straight (not premultiplied); 16-bit,
	 * grayscale and palette sources are converted by libpng. */
	img->format = li->alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
	if (!png_image_finish_read(img, NULL, buf, 0, NULL)) {
		copy_msg(img, err, errlen);
		return -1;
	}
	return 0;
}

void lp_free(lp_image *li) {
	if (li->img != NULL) {
		png_image_free((png_imagep)li->img);
		free(li->img);
		li->img = NULL;
	}
}
