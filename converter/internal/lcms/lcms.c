#include "lcms.h"

#include <stdlib.h>
#include <string.h>

#include <lcms2.h>
#include <lcms2_plugin.h>

struct lc_ctx {
	cmsContext ctx;
	size_t live; /* bytes allocated through this context, now */
	size_t cap;
	int over;    /* an allocation was refused for the cap */
	char err[160];
};

/* Every block carries its size in front, so frees can be counted. 16
 * bytes keep the caller's pointer aligned for any type. */
#define LC_HEAD 16

static void *lc_malloc(cmsContext id, cmsUInt32Number size) {
	lc_ctx *c = (lc_ctx *)cmsGetContextUserData(id);
	size_t total = (size_t)size + LC_HEAD;
	if (c == NULL) return NULL;
	if (__atomic_add_fetch(&c->live, total, __ATOMIC_RELAXED) > c->cap) {
		__atomic_sub_fetch(&c->live, total, __ATOMIC_RELAXED);
		c->over = 1;
		return NULL;
	}
	unsigned char *p = malloc(total);
	if (p == NULL) {
		__atomic_sub_fetch(&c->live, total, __ATOMIC_RELAXED);
		return NULL;
	}
	memcpy(p, &total, sizeof total);
	return p + LC_HEAD;
}

static void lc_release(cmsContext id, void *ptr) {
	if (ptr == NULL) return;
	lc_ctx *c = (lc_ctx *)cmsGetContextUserData(id);
	unsigned char *p = (unsigned char *)ptr - LC_HEAD;
	size_t total;
	memcpy(&total, p, sizeof total);
	if (c != NULL) __atomic_sub_fetch(&c->live, total, __ATOMIC_RELAXED);
	free(p);
}

static void *lc_realloc(cmsContext id, void *ptr, cmsUInt32Number size) {
	void *q = lc_malloc(id, size);
	if (q == NULL || ptr == NULL) return q;
	size_t old;
	memcpy(&old, (unsigned char *)ptr - LC_HEAD, sizeof old);
	old -= LC_HEAD;
	memcpy(q, ptr, old < size ? old : size);
	lc_release(id, ptr);
	return q;
}

static cmsPluginMemHandler lc_mem = {
	{cmsPluginMagicNumber, 2000, cmsPluginMemHandlerSig, NULL},
	lc_malloc, lc_release, lc_realloc, NULL, NULL, NULL,
};

static void lc_log(cmsContext id, cmsUInt32Number code, const char *text) {
	(void)code;
	lc_ctx *c = (lc_ctx *)cmsGetContextUserData(id);
	if (c != NULL && c->err[0] == 0) {
		strncpy(c->err, text, sizeof c->err - 1);
	}
}

lc_ctx *lc_new(size_t cap) {
	lc_ctx *c = calloc(1, sizeof *c);
	if (c == NULL) return NULL;
	c->cap = cap;
	c->ctx = cmsCreateContext(&lc_mem, c);
	if (c->ctx == NULL) {
		free(c);
		return NULL;
	}
	cmsSetLogErrorHandlerTHR(c->ctx, lc_log);
	return c;
}

void lc_free(lc_ctx *c) {
	if (c == NULL) return;
	cmsDeleteContext(c->ctx);
	free(c);
}

const char *lc_error(lc_ctx *c) { return c->err; }
size_t lc_live(lc_ctx *c) { return __atomic_load_n(&c->live, __ATOMIC_RELAXED); }
int lc_over(lc_ctx *c) { return c->over; }

/* sRGB's transfer function as an ICC parametric curve (type 4). */
static cmsToneCurve *lc_srgb_curve(cmsContext ctx) {
	const cmsFloat64Number p[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
	return cmsBuildParametricToneCurve(ctx, 4, p);
}

static cmsHPROFILE lc_srgb_grey(cmsContext ctx) {
	cmsToneCurve *t = lc_srgb_curve(ctx);
	if (t == NULL) return NULL;
	cmsHPROFILE p = cmsCreateGrayProfileTHR(ctx, cmsD50_xyY(), t);
	cmsFreeToneCurve(t);
	return p;
}

void *lc_transform(lc_ctx *c, const void *profile, size_t n, int kind, int *err) {
	cmsHPROFILE in = cmsOpenProfileFromMemTHR(c->ctx, profile, (cmsUInt32Number)n);
	cmsHPROFILE out = NULL;
	cmsHTRANSFORM xf = NULL;
	*err = 0;
	if (in == NULL) {
		*err = LC_ERR_OPEN;
		return NULL;
	}
	cmsProfileClassSignature cls = cmsGetDeviceClass(in);
	cmsColorSpaceSignature pcs = cmsGetPCS(in);
	if (cls == cmsSigLinkClass || cls == cmsSigAbstractClass || cls == cmsSigNamedColorClass ||
	    (pcs != cmsSigXYZData && pcs != cmsSigLabData)) {
		*err = LC_ERR_CLASS;
		goto done;
	}
	cmsColorSpaceSignature want = kind == LC_CMYK ? cmsSigCmykData : kind == LC_GRAY ? cmsSigGrayData : cmsSigRgbData;
	if (cmsGetColorSpace(in) != want) {
		*err = LC_ERR_SPACE;
		goto done;
	}
	cmsUInt32Number fin, fout, flags = 0;
	switch (kind) {
	case LC_RGB: fin = fout = TYPE_RGB_8; break;
	case LC_RGBA: fin = fout = TYPE_RGBA_8; flags = cmsFLAGS_COPY_ALPHA; break;
	case LC_CMYK: fin = TYPE_CMYK_8_REV; fout = TYPE_RGB_8; break;
	default: fin = fout = TYPE_GRAY_8; break;
	}
	out = kind == LC_GRAY ? lc_srgb_grey(c->ctx) : cmsCreate_sRGBProfileTHR(c->ctx);
	if (out == NULL) {
		*err = LC_ERR_XFORM;
		goto done;
	}
	xf = cmsCreateTransformTHR(c->ctx, in, fin, out, fout, INTENT_PERCEPTUAL, flags);
	if (xf == NULL) *err = LC_ERR_XFORM;
done:
	if (out != NULL) cmsCloseProfile(out);
	cmsCloseProfile(in);
	return xf;
}

void lc_apply(void *xf, const void *in, void *out, size_t pixels) {
	cmsDoTransform((cmsHTRANSFORM)xf, in, out, (cmsUInt32Number)pixels);
}

void lc_drop(void *xf) {
	if (xf != NULL) cmsDeleteTransform((cmsHTRANSFORM)xf);
}

unsigned char *lc_rgb_profile(lc_ctx *c, const double xy[8], double gamma, size_t *n) {
	cmsCIExyY white = {xy[0], xy[1], 1};
	cmsCIExyYTRIPLE prim = {{xy[2], xy[3], 1}, {xy[4], xy[5], 1}, {xy[6], xy[7], 1}};
	cmsToneCurve *t = gamma > 0 ? cmsBuildGamma(c->ctx, gamma) : lc_srgb_curve(c->ctx);
	unsigned char *buf = NULL;
	if (t == NULL) return NULL;
	cmsToneCurve *curves[3] = {t, t, t};
	cmsHPROFILE p = cmsCreateRGBProfileTHR(c->ctx, &white, &prim, curves);
	cmsFreeToneCurve(t);
	if (p == NULL) return NULL;
	cmsUInt32Number size = 0;
	if (cmsSaveProfileToMem(p, NULL, &size) && size > 0 && (buf = malloc(size)) != NULL) {
		if (!cmsSaveProfileToMem(p, buf, &size)) {
			free(buf);
			buf = NULL;
		}
		*n = size;
	}
	cmsCloseProfile(p);
	return buf;
}
