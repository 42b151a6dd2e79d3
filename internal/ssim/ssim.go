// Package ssim measures how alike two images look: the mean structural
// similarity (SSIM) of their luma. The benchmarks share it: bench/compare
// (imgcells against sharp) and the AVIF encoder's speed and quality choice.
package ssim

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
)

// luma returns the image's Rec. 601 luma as float64 samples (0–255).
func luma(m image.Image) ([]float64, int, int) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	y := make([]float64, w*h)
	if n, ok := m.(*image.NRGBA); ok { // the common case, without At's allocations
		for j := range h {
			row := n.Pix[n.PixOffset(b.Min.X, b.Min.Y+j):]
			for i := range w {
				p := row[4*i:]
				y[j*w+i] = 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
			}
		}
		return y, w, h
	}
	for j := range h {
		for i := range w {
			c := color.NRGBAModel.Convert(m.At(b.Min.X+i, b.Min.Y+j)).(color.NRGBA)
			y[j*w+i] = 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
		}
	}
	return y, w, h
}

// Compare is the mean structural similarity of two same-sized images' luma
// over 8×8 windows with a stride of 4 (Wang et al. 2004 constants): 1 for
// identical images.
func Compare(a, b image.Image) (float64, error) {
	ya, wa, ha := luma(a)
	yb, wb, hb := luma(b)
	// Resizers may round the free dimension differently by one pixel:
	// compare the common area.
	if abs(wa-wb) > 1 || abs(ha-hb) > 1 {
		return 0, fmt.Errorf("sizes differ: %dx%d vs %dx%d", wa, ha, wb, hb)
	}
	w, h := min(wa, wb), min(ha, hb)
	const (
		win = 8
		c1  = (0.01 * 255) * (0.01 * 255)
		c2  = (0.03 * 255) * (0.03 * 255)
	)
	sum, n := 0.0, 0
	for y0 := 0; y0+win <= h; y0 += 4 {
		for x0 := 0; x0+win <= w; x0 += 4 {
			var sa, sb, saa, sbb, sab float64
			for y := y0; y < y0+win; y++ {
				for x := x0; x < x0+win; x++ {
					p, q := ya[y*wa+x], yb[y*wb+x]
					sa += p
					sb += q
					saa += p * p
					sbb += q * q
					sab += p * q
				}
			}
			const k = win * win
			ma, mb := sa/k, sb/k
			va, vb := saa/k-ma*ma, sbb/k-mb*mb
			cov := sab/k - ma*mb
			sum += ((2*ma*mb + c1) * (2*cov + c2)) / ((ma*ma + mb*mb + c1) * (va + vb + c2))
			n++
		}
	}
	if n == 0 {
		return math.NaN(), errors.New("image smaller than one window")
	}
	return sum / float64(n), nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
