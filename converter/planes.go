package converter

import (
	"context"
	"fmt"
	"time"

	"imgcells/contract"
	"imgcells/converter/internal/icc"
	"imgcells/converter/internal/jpegturbo"
	"imgcells/converter/internal/lcms"
	"imgcells/converter/internal/webpyuv"
)

// A JPEG converted to WebP never needs RGB: the file holds Y, Cb and Cr
// planes (chroma usually at half resolution) and VP8 wants Y, U and V
// planes at 4:2:0. Through RGB the converter would upsample the chroma,
// convert every pixel to RGB, resize three full-resolution channels, and
// libwebp would convert back and average the chroma down again. Through
// the planes it resizes each plane to its own output size (the chroma
// planes a quarter of the luma's samples) and maps the ranges: JPEG's
// full-range BT.601 YCbCr and VP8's limited-range BT.601 YUV are the same
// matrix, so the map is affine per plane. Luma is what the RGB path gives,
// to rounding. Chroma is decoded at the DCT scale the output's chroma needs
// (jpegturbo.DecodePlanes, chromaNeeded) and filtered as the RGB path
// filters it: libjpeg's triangle upsampling where it is at half the luma's
// resolution, Lanczos-3 to the luma's output rate, then the mean of each
// 2×2 (libwebp's import), in one filter per axis; chroma kept sharper than
// that costs bytes.

// planar says whether a conversion goes through the planes, and the colour
// note for its result: a JPEG to a still WebP whose colours stay as they
// are (no profile, or one that is sRGB or ignored).
func (w work) planar() (string, bool) {
	if planesOff || w.src.kind != kindJPEG || w.format != contract.FormatWebP || w.anim != nil {
		return "", false
	}
	return w.colour.untouched()
}

// planesOff sends every conversion through RGB: the tests' and the
// benchmarks' way to compare the two paths.
var planesOff bool

// untouched says whether toSRGB would leave an RGB raster's pixels as they
// are, and the note it would give.
func (c colourSource) untouched() (string, bool) {
	if c.profile != nil && c.space != icc.RGB {
		return "", false
	}
	t, note := c.transform(lcms.RGB)
	if t != nil {
		t.Release()
		return "", false
	}
	return note, true
}

// vp8Y and vp8UV map JFIF's full-range samples onto VP8's ranges:
// Y' = 16 + Y·219/255, U' = 128 + (Cb−128)·224/255. The resize applies
// them before its one rounding.
var (
	vp8Y  = rangeMap{scale: 219.0 / 255, offset: 16}
	vp8UV = rangeMap{scale: 224.0 / 255, offset: 128 - 128*224.0/255}
)

// yuvPlanes is a picture in VP8's planes, each a one-sample raster.
type yuvPlanes struct{ y, u, v *raster }

// resizePlanes scales the plan's crop rectangle (in the luma plane's
// samples) of the decoded planes to the plan's output size, chroma to
// half of it rounded up, in VP8's ranges. o is the EXIF orientation the
// planes will be turned by.
func resizePlanes(pl *jpegturbo.Planes, p plan, o int, alloc func(n int) []byte) yuvPlanes {
	var out yuvPlanes
	f := planeFilter(float64(p.cropX), float64(p.cropY), float64(p.cropW), float64(p.cropH), pl.W[0], pl.H[0], p.outW, p.outH, 1, 1, 1, vp8Y)
	out.y = f.resize(pl.Pix[0], pl.Stride[0], alloc)
	// Chroma sample i covers luma samples [fx·i, fx·(i+1)). The output's
	// chroma covers 2·cw output columns: one past the last when outW is
	// odd, on the side that ends up right (or bottom) once the picture is
	// turned upright. Cb and Cr share their geometry, so their filter.
	cw, ch := (p.outW+1)/2, (p.outH+1)/2
	fx := (pl.W[0] + pl.W[1] - 1) / pl.W[1]
	fy := (pl.H[0] + pl.H[1] - 1) / pl.H[1]
	sx, sy := float64(p.cropW)/float64(p.outW), float64(p.cropH)/float64(p.outH)
	x0, y0 := float64(p.cropX), float64(p.cropY)
	if flipsX(o) {
		x0 -= float64(2*cw-p.outW) * sx
	}
	if flipsY(o) {
		y0 -= float64(2*ch-p.outH) * sy
	}
	f = planeFilter(x0/float64(fx), y0/float64(fy), float64(2*cw)*sx/float64(fx), float64(2*ch)*sy/float64(fy),
		pl.W[1], pl.H[1], cw, ch, 2, fx, fy, vp8UV)
	out.u = f.resize(pl.Pix[1], pl.Stride[1], alloc)
	out.v = f.resize(pl.Pix[2], pl.Stride[2], alloc)
	return out
}

// flipsX and flipsY say whether orientation o (orient) reverses the stored
// image's columns or rows.
func flipsX(o int) bool { return o == 2 || o == 3 || o == 7 || o == 8 }
func flipsY(o int) bool { return o == 3 || o == 4 || o == 6 || o == 7 }

// planeFilters are the two passes that scale a span of a plane.
type planeFilters struct {
	ty         taps  // the vertical pass's
	t1         taps1 // the horizontal pass's, from column lo
	lo, cols   int   // the columns the horizontal pass reads
	outW, outH int
}

// planeFilter makes the filters that scale the span [x0, x0+sw)×[y0, y0+sh)
// of a w×h plane to outW×outH with the Lanczos-3 of resize (boxed over sub
// outputs at sub times the rate, through libjpeg's fancy upsampling where
// the plane is subsampled by upX or upY = 2: makeUpsampledTaps), each result
// mapped by m.
func planeFilter(x0, y0, sw, sh float64, w, h, outW, outH, sub, upX, upY int, m rangeMap) planeFilters {
	tx := makeUpsampledTaps(x0, sw, outW, w, sub, upX)
	f := planeFilters{ty: makeUpsampledTaps(y0, sh, outH, h, sub, upY), lo: int(tx.start[0]), outW: outW, outH: outH}
	hi := 0
	for i := range tx.start {
		f.lo = min(f.lo, int(tx.start[i]))
		hi = max(hi, int(tx.start[i]+tx.n[i]))
	}
	f.cols = hi - f.lo
	f.t1 = tx.forPlane(f.lo, m)
	return f
}

// resize runs the filters over a plane (rows of stride bytes): the vertical
// pass over the columns the horizontal one reads, then the horizontal, a
// band of rows at a time (banded).
func (f *planeFilters) resize(pix []byte, stride int, alloc func(n int) []byte) *raster {
	out := &raster{pix: alloc(f.outW * f.outH), w: f.outW, h: f.outH, ch: 1}
	banded(f.outH, f.cols, f.cols*f.outH, func(band []byte, acc []int32, y0, y1 int) {
		sub := f.ty.rows(y0, y1)
		vpassRows(pix[f.lo:], stride, f.cols, band, &sub, 0, y1-y0, acc)
		hpass1Rows(band, f.cols, out.pix[y0*f.outW:], f.outW, &f.t1, 0, y1-y0)
	})
	return out
}

// runPlanes finishes a conversion through the planes: resize, turn upright,
// encode, filling in res and the resize and encode timings.
func runPlanes(ctx context.Context, pl *jpegturbo.Planes, p plan, o, quality int, alloc func(n int) []byte, res *Result) error {
	t0 := time.Now()
	yuv := resizePlanes(pl, p, o, alloc)
	yuv.y, yuv.u, yuv.v = orient(yuv.y, o), orient(yuv.u, o), orient(yuv.v, o)
	if err := ctx.Err(); err != nil {
		return err
	}
	t1 := time.Now()
	data, err := webpyuv.Encode(webpyuv.Picture{Y: yuv.y.pix, U: yuv.u.pix, V: yuv.v.pix,
		W: yuv.y.w, H: yuv.y.h, YStride: yuv.y.w, UVStride: yuv.u.w}, float32(quality))
	if err != nil {
		return fmt.Errorf("encoding %dx%d WebP: %w", yuv.y.w, yuv.y.h, err)
	}
	res.Data, res.Format, res.Width, res.Height = data, contract.FormatWebP, yuv.y.w, yuv.y.h
	res.Timings.Resize, res.Timings.Encode = t1.Sub(t0), time.Since(t1)
	return nil
}
