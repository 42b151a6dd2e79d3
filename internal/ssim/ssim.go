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

// Plane is an image's Rec. 601 luma as float64 samples (0–255), kept so
// that one reference can be compared with many candidates without
// converting it again.
type Plane struct {
	y    []float64
	w, h int
}

// Luma converts an image to its luma plane.
func Luma(m image.Image) Plane {
	b := m.Bounds()
	p := Plane{w: b.Dx(), h: b.Dy()}
	p.y = make([]float64, p.w*p.h)
	set := func(i int, r, g, b uint8) {
		p.y[i] = 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
	}
	// The common cases without At's per-pixel allocation: NRGBA, and
	// opaque RGBA pixels (where premultiplied and straight alpha agree).
	nrgba, _ := m.(*image.NRGBA)
	rgba, _ := m.(*image.RGBA)
	for j := range p.h {
		for i := range p.w {
			x, y := b.Min.X+i, b.Min.Y+j
			switch {
			case nrgba != nil:
				o := nrgba.PixOffset(x, y)
				set(j*p.w+i, nrgba.Pix[o], nrgba.Pix[o+1], nrgba.Pix[o+2])
			case rgba != nil && rgba.Pix[rgba.PixOffset(x, y)+3] == 0xFF:
				o := rgba.PixOffset(x, y)
				set(j*p.w+i, rgba.Pix[o], rgba.Pix[o+1], rgba.Pix[o+2])
			default:
				c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
				set(j*p.w+i, c.R, c.G, c.B)
			}
		}
	}
	return p
}

// Compare is the mean structural similarity of two same-sized images' luma
// over 8×8 windows with a stride of 4 (Wang et al. 2004 constants): 1 for
// identical images.
func Compare(a, b image.Image) (float64, error) {
	return ComparePlanes(Luma(a), Luma(b))
}

// ComparePlanes is Compare on luma planes already worked out.
func ComparePlanes(a, b Plane) (float64, error) {
	ya, wa, ha := a.y, a.w, a.h
	yb, wb, hb := b.y, b.w, b.h
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
