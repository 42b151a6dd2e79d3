package converter

import (
	"math"
	"runtime"
	"sync"
)

// The resizer is a separable Lanczos-3 filter in 14-bit fixed point over
// packed 8-bit samples: a vertical pass into an 8-bit intermediate, then a
// horizontal pass (their inner loops are C, in resample.c). Alpha is premultiplied around it so transparent pixels do
// not bleed their colour. Large images are split across the available cores.

const (
	weightBits = 14
	weightOne  = 1 << weightBits
	lanczosA   = 3.0
)

// taps are the filter weights of every output position along one axis:
// output i reads n[i] source samples starting at start[i], weights
// w[off[i]:off[i]+n[i]], which sum to weightOne.
type taps struct {
	start, n, off []int32
	w             []int32
	// pairs are the weights two by two as the SSE2 horizontal pass
	// multiplies them: w[k] in the low 16 bits, w[k+1] (or 0 past the
	// last) in the high; output i's start at pairs[poff[i]].
	pairs, poff []int32
}

// makeTaps maps inN source samples (from offset in0) onto outN outputs.
func makeTaps(in0, inN, outN, limit int) taps {
	return makeSpanTaps(float64(in0), float64(inN), outN, limit)
}

// makeSpanTaps maps the source span [in0, in0+inN), in samples that need
// not be whole, onto outN outputs; samples from limit on are not read.
func makeSpanTaps(in0, inN float64, outN, limit int) taps {
	return makeBoxedTaps(in0, inN, outN, limit, 1)
}

// makeBoxedTaps is makeSpanTaps where each output is the mean of sub
// outputs of the filter at sub times the rate: Lanczos-3 to sub·outN
// samples, then a box over each sub of them, in one filter.
func makeBoxedTaps(in0, inN float64, outN, limit, sub int) taps {
	return quantizeTaps(boxedWeights(in0, inN, outN, limit, sub))
}

// makeUpsampledTaps is makeBoxedTaps over samples that libjpeg's fancy
// upsampling would first double (up = 2): the filter runs on the doubled
// grid, each doubled sample being ¾ of its own and ¼ of the nearer
// neighbour (the edges repeated), folded back onto the samples. This is the
// filter the RGB path applies to subsampled chroma.
func makeUpsampledTaps(in0, inN float64, outN, limit, sub, up int) taps {
	if up != 2 {
		return makeBoxedTaps(in0, inN, outN, limit, sub)
	}
	vlo, vw := boxedWeights(2*in0, 2*inN, outN, 2*limit, sub)
	lo, fw := make([]int, outN), make([][]float64, outN)
	all := make([]float64, 0, outN*(len(vw[outN/2])/2+3)) // one allocation, as in boxedWeights
	for i := range outN {
		first := max((vlo[i]-1)/2, 0)
		n := len(all)
		all = append(all, make([]float64, (vlo[i]+len(vw[i])+1)/2+1-first)...)
		w := all[n:len(all):len(all)]
		for k, v := range vw[i] {
			m := vlo[i] + k
			c, near := m/2, m/2+1
			if m%2 == 0 {
				near = m/2 - 1
			}
			near = min(max(near, 0), limit-1)
			w[c-first] += 0.75 * v
			w[near-first] += 0.25 * v
		}
		lo[i], fw[i] = first, w
	}
	return quantizeTaps(lo, fw)
}

// boxedWeights are makeBoxedTaps' weights before quantizing: output i's
// start at lo[i], its weights fw[i], not normalised.
func boxedWeights(in0, inN float64, outN, limit, sub int) (lo []int, fw [][]float64) {
	scale := inN / float64(outN*sub)
	support := lanczosA * math.Max(scale, 1)
	fscale := math.Max(scale, 1)
	lo, fw = make([]int, outN), make([][]float64, outN)
	// Every output's weights in one allocation: none spans more than this.
	per := int(math.Ceil(2*support+float64(sub-1)*scale)) + 2
	all := make([]float64, 0, outN*per)
	for i := range outN {
		first := in0 + (float64(i*sub)+0.5)*scale
		last := in0 + (float64(i*sub+sub-1)+0.5)*scale
		lo[i] = max(int(math.Floor(first-support)), 0)
		hi := min(int(math.Ceil(last+support)), limit)
		n := len(all)
		all = append(all, make([]float64, max(hi-lo[i], 0))...)
		fw[i] = all[n:len(all):len(all)]
		for s := range sub {
			lanczosRow(fw[i], lo[i], first+float64(s)*scale, fscale)
		}
	}
	return lo, fw
}

// lanczosRow adds lanczos((j + 0.5 − c)/fscale) to dst[j − lo] for each j
// it covers. The sines step from sample to sample by angle addition: two
// sine-cosine pairs a row instead of two sines a sample (exact to a few
// parts in 10^15 over a row, far below the weights' 14 bits).
func lanczosRow(dst []float64, lo int, c, fscale float64) {
	if len(dst) == 0 {
		return
	}
	x0 := (float64(lo) + 0.5 - c) / fscale
	s1, c1 := math.Sincos(math.Pi * x0)
	s3, c3 := math.Sincos(math.Pi * x0 / lanczosA)
	ds1, dc1 := math.Sincos(math.Pi / fscale)
	ds3, dc3 := math.Sincos(math.Pi / fscale / lanczosA)
	for k := range dst {
		x := (float64(lo+k) + 0.5 - c) / fscale
		switch {
		case x == 0:
			dst[k]++
		case x > -lanczosA && x < lanczosA:
			dst[k] += lanczosA * s1 * s3 / (math.Pi * math.Pi * x * x)
		}
		s1, c1 = s1*dc1+c1*ds1, c1*dc1-s1*ds1
		s3, c3 = s3*dc3+c3*ds3, c3*dc3-s3*ds3
	}
}

// quantizeTaps normalises each output's weights to sum to weightOne in
// fixed point, dropping zero taps at both ends.
func quantizeTaps(lo []int, fws [][]float64) taps {
	outN := len(lo)
	t := taps{start: make([]int32, outN), n: make([]int32, outN), off: make([]int32, outN)}
	for i, fw := range fws {
		sum := 0.0
		for _, v := range fw {
			sum += v
		}
		// Drop zero taps at both ends.
		a, b := 0, len(fw)
		for a < b && fw[a] == 0 {
			a++
		}
		for b > a && fw[b-1] == 0 {
			b--
		}
		t.start[i] = int32(lo[i] + a)
		t.n[i] = int32(b - a)
		t.off[i] = int32(len(t.w))
		total, big := int32(0), a
		for j := a; j < b; j++ {
			q := int32(math.Round(fw[j] / sum * weightOne))
			t.w = append(t.w, q)
			total += q
			if fw[j] > fw[big] {
				big = j
			}
		}
		// Rounding leftovers go to the largest weight so flat areas stay flat.
		t.w[int(t.off[i])+big-a] += weightOne - total
	}
	t.pairUp()
	return t
}

// pairUp fills pairs and poff from the weights.
func (t *taps) pairUp() {
	t.poff = make([]int32, len(t.start))
	t.pairs = t.pairs[:0]
	for i := range t.start {
		t.poff[i] = int32(len(t.pairs))
		w := t.w[t.off[i] : t.off[i]+t.n[i]]
		for k := 0; k < len(w); k += 2 {
			hi := int32(0)
			if k+1 < len(w) {
				hi = w[k+1]
			}
			t.pairs = append(t.pairs, int32(uint32(hi)<<16|uint32(w[k])&0xffff))
		}
	}
}

func clamp8(v int32) byte {
	v = (v + weightOne/2) >> weightBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return byte(v)
}

// resize scales the crop rectangle of src to outW×outH, taking its buffers
// from alloc.
func resize(src *raster, p plan, alloc func(n int) []byte) *raster {
	ch := src.ch
	alpha := src.hasAlpha()
	if alpha {
		src.premultiply()
	}
	// Far-off targets are first box-averaged by a whole factor, leaving the
	// Lanczos passes a reduction between 2 and 4 (libvips does the same).
	if kx, ky := p.cropW/p.outW/2, p.cropH/p.outH/2; kx >= 2 || ky >= 2 {
		src, p = boxShrink(src, p, max(kx, 1), max(ky, 1), alloc)
	}
	// Vertical pass first, over the crop's columns: it runs 16 samples a
	// step, so it takes the larger share of the work, leaving the horizontal
	// pass (one pixel a step) only the output's rows.
	ch3 := p.cropW * ch
	cols := src.pix[p.cropX*ch:]
	var out *raster
	switch {
	case p.outH == p.cropH:
		mid := &raster{pix: alloc(p.cropH * ch3), w: p.cropW, h: p.outH, ch: ch}
		for y := range p.cropH {
			s := ((p.cropY+y)*src.w + p.cropX) * ch
			copy(mid.pix[y*ch3:(y+1)*ch3], src.pix[s:s+ch3])
		}
		out = mid
		if p.outW != p.cropW {
			out = &raster{pix: alloc(p.outW * p.outH * ch), w: p.outW, h: p.outH, ch: ch}
			tx := makeTaps(0, p.cropW, p.outW, p.cropW)
			parallelRows(p.outH, p.outW*p.outH, func(y0, y1 int) {
				hpassRows(mid.pix, ch3, out.pix, &tx, ch, y0, y1)
			})
		}
	case p.outW == p.cropW:
		out = &raster{pix: alloc(p.outH * ch3), w: p.cropW, h: p.outH, ch: ch}
		ty := makeTaps(p.cropY, p.cropH, p.outH, src.h)
		parallelRows(p.outH, p.cropW*p.outH, func(y0, y1 int) {
			vpassRows(cols, src.w*ch, ch3, out.pix, &ty, y0, y1, make([]int32, ch3))
		})
	default:
		out = &raster{pix: alloc(p.outW * p.outH * ch), w: p.outW, h: p.outH, ch: ch}
		ty := makeTaps(p.cropY, p.cropH, p.outH, src.h)
		tx := makeTaps(0, p.cropW, p.outW, p.cropW)
		banded(p.outH, ch3, p.cropW*p.outH, func(band []byte, acc []int32, y0, y1 int) {
			sub := ty.rows(y0, y1)
			vpassRows(cols, src.w*ch, ch3, band, &sub, 0, y1-y0, acc)
			hpassRows(band, ch3, out.pix[y0*p.outW*ch:], &tx, ch, 0, y1-y0)
		})
	}
	if alpha {
		out.unpremultiply()
	}
	return out
}

// bandRows is how many output rows the two passes take at a time: the
// vertical pass's rows for them stay in cache for the horizontal pass, and
// no whole intermediate image is ever made (in a fresh process every page
// of one is a page fault).
const bandRows = 16

// banded runs fn over [0,rows) in bands of at most bandRows rows, split
// across the cores as parallelRows splits (work in output samples), handing
// each a band buffer of bandRows rows of rowBytes and a row of int32
// scratch of its own.
func banded(rows, rowBytes, work int, fn func(band []byte, acc []int32, y0, y1 int)) {
	parallelRows(rows, work, func(r0, r1 int) {
		band := make([]byte, bandRows*rowBytes)
		acc := make([]int32, rowBytes)
		for y := r0; y < r1; y += bandRows {
			fn(band, acc, y, min(y+bandRows, r1))
		}
	})
}

// rows is t for outputs [y0, y1) only, renumbered from 0.
func (t *taps) rows(y0, y1 int) taps {
	s := *t
	s.start, s.n, s.off, s.poff = t.start[y0:y1], t.n[y0:y1], t.off[y0:y1], t.poff[y0:y1]
	return s
}

// parallelRows runs fn over [0,rows) split across the cores when the work
// (in output samples) is large enough to pay for the goroutines.
func parallelRows(rows, work int, fn func(y0, y1 int)) {
	workers := min(runtime.GOMAXPROCS(0), rows)
	if workers <= 1 || work < 256*1024 {
		fn(0, rows)
		return
	}
	var wg sync.WaitGroup
	step := (rows + workers - 1) / workers
	for y0 := 0; y0 < rows; y0 += step {
		y1 := min(y0+step, rows)
		wg.Go(func() {
			fn(y0, y1)
		})
	}
	wg.Wait()
}

// boxShrink averages kx×ky blocks of the plan's crop rectangle and returns
// the smaller raster with the plan moved onto it. Up to kx-1 columns and
// ky-1 rows at the crop's far edges are dropped.
func boxShrink(src *raster, p plan, kx, ky int, alloc func(n int) []byte) (*raster, plan) {
	ch := src.ch
	nw, nh := p.cropW/kx, p.cropH/ky
	out := &raster{pix: alloc(nw * nh * ch), w: nw, h: nh, ch: ch}
	corner := src.pix[(p.cropY*src.w+p.cropX)*ch:]
	parallelRows(nh, nw*nh*kx*ky, func(y0, y1 int) {
		boxRows(corner, src.w*ch, nw, ch, kx, ky, out.pix, y0, y1)
	})
	q := p
	q.srcW, q.srcH = nw, nh
	q.cropX, q.cropY, q.cropW, q.cropH = 0, 0, nw, nh
	return out, q
}
