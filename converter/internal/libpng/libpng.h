#ifndef IMGCELLS_LIBPNG_H
#define IMGCELLS_LIBPNG_H

#include <stddef.h>

typedef struct {
	void *img; /* png_image, opaque to Go */
	int width, height;
	int alpha; /* the source has an alpha channel or tRNS transparency */
} lp_image;

/* lp_begin reads the header of src, which must stay valid until lp_free. */
int lp_begin(lp_image *li, const unsigned char *src, size_t len, char *err, size_t errlen);
/* lp_finish decodes into buf: width*height*(alpha ? 4 : 3) bytes. */
int lp_finish(lp_image *li, unsigned char *buf, char *err, size_t errlen);
void lp_free(lp_image *li);

#endif
