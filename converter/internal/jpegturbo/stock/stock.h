#include <stddef.h>

/* Decodes src to packed samples at 1/denom scale with the libjpeg-turbo
 * linked into the program (stock == 0) or with the shared library at
 * path, opened with dlopen (stock == 1). Returns 0 and fills the output on
 * success; -1 with msg filled on an error (a corrupt stream, or the library
 * missing). A premature end of the data is an error, as in the converter.
 * *out is malloc'ed; the caller frees it. */
int sd_decode(int stock, const char *path, const unsigned char *src, size_t len, int denom,
              unsigned char **out, int *width, int *height, int *components, char *msg, size_t msglen);
