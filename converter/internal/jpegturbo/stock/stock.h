#include <stddef.h>

/* Opens the shared libjpeg-turbo at path (once: the handle is kept) for
 * sd_decode's stock == 1. Returns 0, or -1 with msg filled. */
int sd_load(const char *path, char *msg, size_t msglen);

/* Decodes src to packed samples at 1/denom scale with the libjpeg-turbo
 * linked into the program (stock == 0), the same by row bands (stock == 2,
 * *band set to jpeg_imgcells_band_state: 1 by bands, 0 not progressive, -1
 * declined and decoded again without) or with the shared library sd_load
 * opened (stock == 1). *heap is what the C heap in use grew by from before the
 * decompression object's creation to once decompression has started
 * (mallinfo2). Returns 0 and fills the output on success; -1 with
 * msg filled on an error (a corrupt stream). A premature end of the data is
 * an error, as in the converter, unless lenient (libjpeg's own way: a
 * warning, the rest decoded from zeros). *out is malloc'ed; the caller frees it. */
int sd_decode(int stock, int lenient, const unsigned char *src, size_t len, int denom,
              unsigned char **out, int *width, int *height, int *components, int *band, size_t *heap, char *msg, size_t msglen);

/* Encodes packed RGB as a progressive JPEG (libjpeg's default scan script)
 * with the linked library. *out is malloc'ed; the caller frees it. */
int sd_encode_progressive(const unsigned char *rgb, int width, int height, int quality,
                          unsigned char **out, unsigned long *out_len);

/* Decodes src with the linked library to 64 colours by libjpeg's two-pass
 * quantizer (a second pass over the decoded pixels it keeps), asking for row bands when band
 * is set. *out is malloc'ed; the caller frees it. */
int sd_decode_quantized(int band, const unsigned char *src, size_t len, unsigned char **out, size_t *out_len);
