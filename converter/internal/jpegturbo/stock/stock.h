#include <stddef.h>

/* Opens the shared libjpeg-turbo at path (once: the handle is kept) for
 * sd_decode's stock == 1. Returns 0, or -1 with msg filled. */
int sd_load(const char *path, char *msg, size_t msglen);

/* Decodes src to packed samples at 1/denom scale with the libjpeg-turbo
 * linked into the program (stock == 0) or with the shared library sd_load
 * opened (stock == 1). Returns 0 and fills the output on success; -1 with
 * msg filled on an error (a corrupt stream). A premature end of the data is
 * an error, as in the converter. *out is malloc'ed; the caller frees it. */
int sd_decode(int stock, const unsigned char *src, size_t len, int denom,
              unsigned char **out, int *width, int *height, int *components, char *msg, size_t msglen);
