#ifndef IMGCELLS_LCMS_H
#define IMGCELLS_LCMS_H

#include <stddef.h>

/* One Little CMS context per profile: its own allocator, capped at `cap`
 * bytes live at once, and its own error handler, which keeps the first
 * message instead of printing it. */
typedef struct lc_ctx lc_ctx;

lc_ctx *lc_new(size_t cap);
void lc_free(lc_ctx *c);
const char *lc_error(lc_ctx *c);
size_t lc_live(lc_ctx *c);
int lc_over(lc_ctx *c);

/* What the pixels handed to a transform are. */
enum {
	LC_RGB = 0,  /* RGB, 3 bytes */
	LC_RGBA = 1, /* RGB and straight alpha, 4 bytes; alpha copied */
	LC_CMYK = 2, /* inverted (Adobe) CMYK, 4 bytes, to RGB, 3 bytes */
	LC_GRAY = 3  /* grey, 1 byte, to sRGB-encoded grey */
};

/* Failures lc_transform reports besides lcms's own (-1). */
enum {
	LC_ERR_OPEN = -1,  /* lcms could not read the profile */
	LC_ERR_SPACE = -2, /* the profile is not for these pixels */
	LC_ERR_CLASS = -3, /* a device link, abstract or named-colour profile */
	LC_ERR_XFORM = -4  /* lcms could not build the transform */
};

/* lc_transform builds a transform from the profile to sRGB (to sRGB grey
 * for LC_GRAY) with perceptual intent. NULL and *err set on failure. */
void *lc_transform(lc_ctx *c, const void *profile, size_t n, int kind, int *err);
void lc_apply(void *xf, const void *in, void *out, size_t pixels);
void lc_drop(void *xf);

/* lc_rgb_profile writes an RGB matrix-shaper profile with the given white
 * point and primaries (CIE xy) and a pure power-law transfer function of
 * exponent gamma, or sRGB's own curve when gamma is 0. The bytes are
 * malloc'd; NULL on failure. */
unsigned char *lc_rgb_profile(lc_ctx *c, const double xy[8], double gamma, size_t *n);

#endif
