#ifndef IMGCELLS_LIBPNG_H
#define IMGCELLS_LIBPNG_H

#include <stddef.h>
#include <stdint.h>

#include "fast.h"

/* lp_dec wraps one libpng decode; opaque to Go. */
typedef struct lp_dec lp_dec;

typedef struct {
	int width, height;
	int alpha;  /* the output is RGBA: an alpha channel or tRNS */
	int passes; /* 7 for Adam7, else 1 */
} lp_info;

lp_dec *lp_new(void);
void lp_free(lp_dec *d);
const char *lp_message(lp_dec *d);
int lp_aborted(lp_dec *d);
/* lp_begin reads the header of src, which must stay valid until lp_free,
 * and sets up the conversion to 8-bit RGB or RGBA. */
int lp_begin(lp_dec *d, const unsigned char *src, size_t len, lp_info *info);
/* lp_finish decodes into buf: width*height*(alpha ? 4 : 3) bytes. It
 * returns 1 when *abort (when not NULL) became non-zero between rows. */
int lp_finish(lp_dec *d, unsigned char *buf, int passes, const int32_t *abort);

/* lp_fast_info describes, after lp_begin, an image fast.c decodes to
 * exactly libpng's pixels (any but one libpng converts to another gamma):
 * 0, or -1 to leave it to libpng. */
int lp_fast_info(lp_dec *d, fp_info *fi);

#endif
