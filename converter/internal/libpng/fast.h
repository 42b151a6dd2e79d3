#ifndef IMGCELLS_FAST_H
#define IMGCELLS_FAST_H

#include <stddef.h>

/* fp_decode inflates a PNG's zlib stream z (all IDAT data) into raw, which
 * must be exactly h*(1+w*bpp) bytes, and reverses the row filters in
 * place, leaving h*w*bpp packed pixel bytes at the start of raw. It returns
 * 0, or -1 when the stream or a filter byte is bad (the caller then lets
 * libpng decide). */
int fp_decode(const unsigned char *z, size_t zlen, unsigned char *raw, size_t rawlen,
              int w, int h, int bpp);

#endif
