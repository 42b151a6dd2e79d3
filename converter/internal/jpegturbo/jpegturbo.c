#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpeglib.h>
#include <jerror.h>

#include "jpegturbo.h"
#include "abort.h"

/* Errors longjmp back into the jt_* call that is running; warnings that mean
 * the data is damaged (truncation) are turned into errors too. */
typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
} jt_err;

/* jt_src reads a file that is still arriving into one buffer of its full
 * size: bytes [0, *avail) are there; *state says whether more will come.
 * fill_input_buffer waits for more instead of suspending, so libjpeg never
 * has to back up (a suspending source would have to keep every byte since
 * the last MCU boundary, which the whole-file buffer does anyway, but
 * libjpeg's own bookkeeping of it is easy to get wrong). */
typedef struct {
	struct jpeg_source_mgr pub;
	const JOCTET *base;
	size_t size, given;
	const int64_t *avail;
	const int32_t *state;
} jt_src;

struct jt_dec {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_progress_mgr progress;
	jt_err err;
	jt_src src;
	int created, started;
	const int32_t *abort; /* the caller's deadline, or NULL */
	const unsigned char *whole; /* the file's buffer, all of its length */
	size_t whole_len;
	int aborted;
	int arrival_failed;
	int want_planes; /* jt_open_planes: raw data where the file allows */
	int need_w, need_h; /* jt_open_planes: chroma samples needed across the image */
};

/* A progressive JPEG may hold thousands of tiny scans, each a pass over
 * the whole coefficient buffer: a small file that costs minutes. Real
 * encoders write about ten; libjpeg-turbo's own tools suggest 500. The
 * converter refuses such files from their headers; this is the backstop. */
#define JT_MAX_SCANS 500

/* Called once per iMCU row of every scan while a multi-scan file is read,
 * and once per jpeg_read_scanlines call: stop there when the scan count
 * runs away or the caller's deadline has passed. */
static void jt_progress(j_common_ptr c) {
	j_decompress_ptr d = (j_decompress_ptr)c;
	jt_dec *dec = (jt_dec *)c->client_data;
	jt_err *e = (jt_err *)c->err;
	if (abort_set(dec->abort)) {
		dec->aborted = 1;
		snprintf(e->msg, sizeof(e->msg), "stopped at the deadline");
		longjmp(e->jump, 1);
	}
	if (d->input_scan_number > JT_MAX_SCANS) {
		snprintf(e->msg, sizeof(e->msg), "more than %d scans", JT_MAX_SCANS);
		longjmp(e->jump, 1);
	}
}

static void jt_error_exit(j_common_ptr c) {
	jt_err *e = (jt_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jump, 1);
}

static void jt_emit(j_common_ptr c, int level) {
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) {
		jt_error_exit(c);
	}
	/* Other warnings (extraneous bytes, ...) are tolerated, silently. */
}

static void jt_output(j_common_ptr c) { (void)c; }

static void jt_src_init(j_decompress_ptr c) { (void)c; }
static void jt_src_term(j_decompress_ptr c) { (void)c; }

static boolean jt_src_fill(j_decompress_ptr c) {
	static const JOCTET eoi[2] = {0xFF, JPEG_EOI};
	jt_dec *dec = (jt_dec *)c->client_data;
	jt_src *s = &dec->src;
	jt_err *e = (jt_err *)c->err;
	for (;;) {
		size_t n = (size_t)__atomic_load_n(s->avail, __ATOMIC_ACQUIRE);
		int state = __atomic_load_n(s->state, __ATOMIC_ACQUIRE);
		if (state == JT_COMPLETE) {
			/* The last bytes may have landed between the two loads. */
			n = (size_t)__atomic_load_n(s->avail, __ATOMIC_ACQUIRE);
		}
		if (n > s->size) n = s->size;
		if (n > s->given) {
			s->pub.next_input_byte = s->base + s->given;
			s->pub.bytes_in_buffer = n - s->given;
			s->given = n;
			return TRUE;
		}
		if (state == JT_FAILED) {
			dec->arrival_failed = 1;
			snprintf(e->msg, sizeof(e->msg), "the file stopped arriving");
			longjmp(e->jump, 1);
		}
		if (state == JT_COMPLETE) {
			/* All of it is here and libjpeg wants more: truncated, as
			 * jpeg_mem_src says it (a warning jt_emit makes an error). */
			WARNMS(c, JWRN_JPEG_EOF);
			s->pub.next_input_byte = eoi;
			s->pub.bytes_in_buffer = 2;
			return TRUE;
		}
		if (abort_set(dec->abort)) {
			dec->aborted = 1;
			snprintf(e->msg, sizeof(e->msg), "stopped at the deadline");
			longjmp(e->jump, 1);
		}
		/* Waiting on the network: a tenth of a millisecond at a time. */
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
}

static void jt_src_skip(j_decompress_ptr c, long n) {
	jt_src *s = &((jt_dec *)c->client_data)->src;
	if (n <= 0) return;
	while ((size_t)n > s->pub.bytes_in_buffer) {
		n -= (long)s->pub.bytes_in_buffer;
		s->pub.bytes_in_buffer = 0;
		(void)jt_src_fill(c);
	}
	s->pub.next_input_byte += n;
	s->pub.bytes_in_buffer -= (size_t)n;
}

/* jt_planes_fit says whether a file's planes can be handed out as they are:
 * YCbCr (as libjpeg reads the markers) in three components, luma sampled at
 * the highest rate and both chroma planes at the lowest, at most 2 apart. */
static int jt_planes_fit(j_decompress_ptr c) {
	if (c->jpeg_color_space != JCS_YCbCr || c->num_components != 3) return 0;
	const jpeg_component_info *y = &c->comp_info[0];
	if (y->h_samp_factor != c->max_h_samp_factor || y->v_samp_factor != c->max_v_samp_factor) return 0;
	if (c->max_h_samp_factor > 2 || c->max_v_samp_factor > 2) return 0;
	for (int i = 1; i < 3; i++) {
		if (c->comp_info[i].h_samp_factor != 1 || c->comp_info[i].v_samp_factor != 1) return 0;
	}
	return 1;
}

/* jt_start reads the header and starts decompression. With band set, a
 * progressive file is decoded a band of rows at a time (the row-bands patch:
 * every scan of a row band in turn, into a one-row coefficient buffer,
 * instead of every scan into a whole-image one, tens of megabytes that a
 * fresh process must fault in and every scan streams through): the same
 * pixels, a fraction of the memory. That needs the whole file before the
 * first row, which is where a progressive file's output waits anyway. With
 * d->want_planes set, a file whose planes fit (jt_planes_fit) is read as
 * raw data, its chroma no larger than d->need_w × d->need_h asks. */
static void jt_start(jt_dec *d, int band, int denom, jt_info *info) {
	jpeg_read_header(&d->cinfo, TRUE);
	info->width = (int)d->cinfo.image_width;
	info->height = (int)d->cinfo.image_height;
	info->adobe_inverted = 0;
	info->planar = 0;
	if (d->want_planes && jt_planes_fit(&d->cinfo)) {
		d->cinfo.out_color_space = JCS_YCbCr;
		d->cinfo.raw_data_out = TRUE;
		info->planar = 1;
		/* The chroma planes' IDCT: the smallest whose plane still has the
		 * samples the caller needs across the image, where that is
		 * smaller than libjpeg's choice (the scaled-chroma patch). */
		int size = 0;
		if (d->need_w > 0 && d->need_h > 0) {
			const jpeg_component_info *c = &d->cinfo.comp_info[1];
			for (int s = 1; s <= 8 && size == 0; s *= 2) {
				const long w = ((long)d->cinfo.image_width * c->h_samp_factor * s +
				                d->cinfo.max_h_samp_factor * DCTSIZE - 1) /
				               ((long)d->cinfo.max_h_samp_factor * DCTSIZE);
				const long h = ((long)d->cinfo.image_height * c->v_samp_factor * s +
				                d->cinfo.max_v_samp_factor * DCTSIZE - 1) /
				               ((long)d->cinfo.max_v_samp_factor * DCTSIZE);
				if (w >= d->need_w && h >= d->need_h) size = s;
			}
		}
		jpeg_imgcells_chroma_size(&d->cinfo, size);
	} else switch (d->cinfo.jpeg_color_space) {
	case JCS_CMYK:
	case JCS_YCCK:
		d->cinfo.out_color_space = JCS_CMYK;
		info->adobe_inverted = d->cinfo.saw_Adobe_marker;
		break;
	default:
		/* libjpeg-turbo converts grayscale and YCbCr to RGB itself. */
		d->cinfo.out_color_space = JCS_RGB;
	}
	d->cinfo.scale_num = 1;
	d->cinfo.scale_denom = (unsigned int)denom;
	d->cinfo.dct_method = JDCT_ISLOW;
	d->cinfo.do_fancy_upsampling = TRUE;
	jpeg_imgcells_band(&d->cinfo, band ? d->whole : NULL, d->whole_len);
	jpeg_start_decompress(&d->cinfo);
}

jt_dec *jt_new(void) {
	jt_dec *d = calloc(1, sizeof(*d));
	return d;
}

void jt_free(jt_dec *d) {
	if (d == NULL) return;
	if (d->created) jpeg_destroy_decompress(&d->cinfo);
	free(d);
}

const char *jt_error(jt_dec *d) { return d->err.msg; }

int jt_aborted(jt_dec *d) { return d->aborted; }

int jt_arrival_failed(jt_dec *d) { return d->arrival_failed; }

int jt_open(jt_dec *d, const unsigned char *src, size_t len, int denom, const int32_t *abort, jt_info *info) {
	return jt_open_arriving(d, src, len, NULL, NULL, denom, abort, info);
}

int jt_open_arriving(jt_dec *d, const unsigned char *src, size_t len, const int64_t *avail, const int32_t *state,
                     int denom, const int32_t *abort, jt_info *info) {
	d->abort = abort;
	d->whole = src;
	d->whole_len = len;
	d->cinfo.err = jpeg_std_error(&d->err.pub);
	d->err.pub.error_exit = jt_error_exit;
	d->err.pub.emit_message = jt_emit;
	d->err.pub.output_message = jt_output;
	if (setjmp(d->err.jump)) return -1;
	jpeg_create_decompress(&d->cinfo);
	d->created = 1;
	d->cinfo.client_data = d;
	d->progress.progress_monitor = jt_progress;
	d->cinfo.progress = &d->progress;
	if (avail == NULL) {
		jpeg_mem_src(&d->cinfo, src, (unsigned long)len);
	} else {
		d->src.base = src;
		d->src.size = len;
		d->src.avail = avail;
		d->src.state = state;
		d->src.pub.init_source = jt_src_init;
		d->src.pub.fill_input_buffer = jt_src_fill;
		d->src.pub.skip_input_data = jt_src_skip;
		d->src.pub.resync_to_restart = jpeg_resync_to_restart;
		d->src.pub.term_source = jt_src_term;
		d->cinfo.src = &d->src.pub;
	}
	jt_start(d, 1, denom, info);
	if (jpeg_imgcells_band_state(&d->cinfo) < 0) {
		/* A progressive file the band decoder leaves to the stock one (see
		 * jt_start), read to its end: again, from the start, as usual. */
		jpeg_abort_decompress(&d->cinfo);
		if (avail == NULL) {
			jpeg_mem_src(&d->cinfo, src, (unsigned long)len);
		} else {
			d->src.given = 0;
			d->src.pub.next_input_byte = NULL;
			d->src.pub.bytes_in_buffer = 0;
		}
		jt_start(d, 0, denom, info);
	}
	d->started = 1;
	info->out_width = (int)d->cinfo.output_width;
	info->out_height = (int)d->cinfo.output_height;
	info->components = d->cinfo.output_components;
	if (info->planar) {
		/* Raw data comes a whole iMCU row at a time, every block of it:
		 * each plane's buffer holds whole blocks and whole iMCU rows. */
		for (int i = 0; i < 3; i++) {
			const jpeg_component_info *c = &d->cinfo.comp_info[i];
			info->plane_w[i] = (int)c->downsampled_width;
			info->plane_h[i] = (int)c->downsampled_height;
			info->plane_stride[i] = (int)c->width_in_blocks * c->DCT_scaled_size;
			info->plane_rows[i] = (int)d->cinfo.total_iMCU_rows * c->v_samp_factor * c->DCT_scaled_size;
		}
	}
	return 0;
}

int jt_open_planes(jt_dec *d, const unsigned char *src, size_t len, const int64_t *avail, const int32_t *state,
                   int denom, int need_w, int need_h, const int32_t *abort, jt_info *info) {
	d->want_planes = 1;
	d->need_w = need_w;
	d->need_h = need_h;
	return jt_open_arriving(d, src, len, avail, state, denom, abort, info);
}

int jt_read_planes(jt_dec *d, unsigned char *y, unsigned char *cb, unsigned char *cr) {
	if (setjmp(d->err.jump)) return -1;
	unsigned char *base[3] = {y, cb, cr};
	/* An iMCU row is at most 2 blocks of 16 rows (DCT scaling goes up to
	 * 16/8; this decoder scales down only, to 8 at most). */
	JSAMPROW rows[3][32];
	JSAMPARRAY planes[3] = {rows[0], rows[1], rows[2]};
	const JDIMENSION step = (JDIMENSION)(d->cinfo.max_v_samp_factor * d->cinfo.min_DCT_scaled_size);
	while (d->cinfo.output_scanline < d->cinfo.output_height) {
		const JDIMENSION imcu = d->cinfo.output_scanline / step;
		for (int i = 0; i < 3; i++) {
			const jpeg_component_info *c = &d->cinfo.comp_info[i];
			const int n = c->v_samp_factor * c->DCT_scaled_size;
			const size_t stride = (size_t)c->width_in_blocks * (size_t)c->DCT_scaled_size;
			if (n > 32) {
				snprintf(d->err.msg, sizeof(d->err.msg), "an iMCU row of %d rows", n);
				return -1;
			}
			for (int r = 0; r < n; r++) {
				rows[i][r] = base[i] + ((size_t)imcu * (size_t)n + (size_t)r) * stride;
			}
		}
		if (jpeg_read_raw_data(&d->cinfo, planes, step) == 0) {
			/* Only a suspending source returns 0; ours never suspend. */
			snprintf(d->err.msg, sizeof(d->err.msg), "the decoder suspended");
			return -1;
		}
	}
	jpeg_finish_decompress(&d->cinfo);
	return 0;
}

int jt_read(jt_dec *d, unsigned char *buf, size_t stride) {
	if (setjmp(d->err.jump)) return -1;
	while (d->cinfo.output_scanline < d->cinfo.output_height) {
		JSAMPROW rows[8];
		int n = 0;
		for (; n < 8 && d->cinfo.output_scanline + n < d->cinfo.output_height; n++) {
			rows[n] = buf + (size_t)(d->cinfo.output_scanline + n) * stride;
		}
		jpeg_read_scanlines(&d->cinfo, rows, (JDIMENSION)n);
	}
	jpeg_finish_decompress(&d->cinfo);
	return 0;
}

/* jt_dest collects the compressed output in one malloc'ed buffer that
 * doubles as it fills. Unlike jpeg_mem_dest's, its buffer is ours to free
 * when compression stops half-way. */
typedef struct {
	struct jpeg_destination_mgr pub;
	unsigned char *buf;
	size_t cap;
} jt_dest;

static void jt_dest_init(j_compress_ptr c) {
	jt_dest *d = (jt_dest *)c->dest;
	d->pub.next_output_byte = d->buf;
	d->pub.free_in_buffer = d->cap;
}

static boolean jt_dest_grow(j_compress_ptr c) {
	jt_dest *d = (jt_dest *)c->dest;
	unsigned char *nb = realloc(d->buf, d->cap * 2);
	if (nb == NULL) ERREXIT1(c, JERR_OUT_OF_MEMORY, 10);
	d->pub.next_output_byte = nb + d->cap;
	d->pub.free_in_buffer = d->cap;
	d->buf = nb;
	d->cap *= 2;
	return TRUE;
}

static void jt_dest_term(j_compress_ptr c) { (void)c; }

int jt_encode(const unsigned char *rgb, int width, int height, int quality, const int32_t *abort,
              unsigned char **out, unsigned long *out_len, char *errbuf, size_t errlen) {
	struct jpeg_compress_struct cinfo;
	jt_err err;
	/* volatile: read after longjmp */
	volatile int created = 0;
	/* Start at an eighth of the raw size (photos at quality 75 take less). */
	size_t cap = (size_t)width * (size_t)height * 3 / 8;
	jt_dest *dest = calloc(1, sizeof(jt_dest));
	*out = NULL;
	*out_len = 0;
	if (dest == NULL || (dest->buf = malloc(cap < 65536 ? 65536 : cap)) == NULL) {
		free(dest);
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	dest->cap = cap < 65536 ? 65536 : cap;
	dest->pub.init_destination = jt_dest_init;
	dest->pub.empty_output_buffer = jt_dest_grow;
	dest->pub.term_destination = jt_dest_term;
	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = jt_error_exit;
	err.pub.output_message = jt_output;
	if (setjmp(err.jump)) {
		snprintf(errbuf, errlen, "%s", err.msg);
		if (created) jpeg_destroy_compress(&cinfo);
		free(dest->buf);
		free(dest);
		return -1;
	}
	jpeg_create_compress(&cinfo);
	created = 1;
	cinfo.dest = &dest->pub;
	cinfo.image_width = (JDIMENSION)width;
	cinfo.image_height = (JDIMENSION)height;
	cinfo.input_components = 3;
	cinfo.in_color_space = JCS_RGB;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, quality, TRUE);
	cinfo.optimize_coding = TRUE;
	cinfo.dct_method = JDCT_ISLOW;
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		if (abort_set(abort)) {
			snprintf(errbuf, errlen, "stopped at the deadline");
			jpeg_destroy_compress(&cinfo);
			free(dest->buf);
			free(dest);
			return 1;
		}
		JSAMPROW row = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * (size_t)width * 3);
		jpeg_write_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	*out = dest->buf;
	*out_len = (unsigned long)(dest->cap - dest->pub.free_in_buffer);
	free(dest);
	return 0;
}

void jt_free_buf(unsigned char *p) { free(p); }
