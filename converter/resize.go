package converter

import (
	"math"
	"runtime"
	"sync"
)

// The resizer is a separable Lanczos-3 filter in 14-bit fixed point over
// packed 8-bit samples: a horizontal pass into an 8-bit intermediate, then a
// vertical pass. Alpha is premultiplied around it so transparent pixels do
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
}

func lanczos(x float64) float64 {
	if x == 0 {
		return 1
	}
	if x <= -lanczosA || x >= lanczosA {
		return 0
	}
	px := math.Pi * x
	return lanczosA * math.Sin(px) * math.Sin(px/lanczosA) / (px * px)
}

// makeTaps maps inN source samples (from offset in0) onto outN outputs.
func makeTaps(in0, inN, outN, limit int) taps {
	scale := float64(inN) / float64(outN)
	support := lanczosA * math.Max(scale, 1)
	fscale := math.Max(scale, 1)
	t := taps{start: make([]int32, outN), n: make([]int32, outN), off: make([]int32, outN)}
	var fw []float64
	for i := 0; i < outN; i++ {
		center := float64(in0) + (float64(i)+0.5)*scale
		lo := max(int(math.Floor(center-support)), 0)
		hi := min(int(math.Ceil(center+support)), limit)
		fw = fw[:0]
		sum := 0.0
		for j := lo; j < hi; j++ {
			v := lanczos((float64(j) + 0.5 - center) / fscale)
			fw = append(fw, v)
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
		t.start[i] = int32(lo + a)
		t.n[i] = int32(b - a)
		t.off[i] = int32(len(t.w))
		total, big := int32(0), int(a)
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
	return t
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
		premultiply(src)
	}
	// Far-off targets are first box-averaged by a whole factor, leaving the
	// Lanczos passes a reduction between 2 and 4 (libvips does the same).
	if kx, ky := p.cropW/p.outW/2, p.cropH/p.outH/2; kx >= 2 || ky >= 2 {
		src, p = boxShrink(src, p, max(kx, 1), max(ky, 1), alloc)
	}
	// Horizontal pass over the crop's rows only.
	mid := &raster{w: p.outW, h: p.cropH, ch: ch}
	if p.outW == p.cropW {
		mid.pix = alloc(p.outW * p.cropH * ch)
		for y := 0; y < p.cropH; y++ {
			s := ((p.cropY+y)*src.w + p.cropX) * ch
			copy(mid.pix[y*p.outW*ch:(y+1)*p.outW*ch], src.pix[s:s+p.cropW*ch])
		}
	} else {
		mid.pix = alloc(p.outW * p.cropH * ch)
		tx := makeTaps(p.cropX, p.cropW, p.outW, src.w)
		parallelRows(p.cropH, p.outW*p.cropH, func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				in := src.pix[(p.cropY+y)*src.w*ch : (p.cropY+y+1)*src.w*ch]
				hpass(in, mid.pix[y*p.outW*ch:(y+1)*p.outW*ch], &tx, ch)
			}
		})
	}
	out := mid
	if p.outH != p.cropH {
		out = &raster{pix: alloc(p.outW * p.outH * ch), w: p.outW, h: p.outH, ch: ch}
		ty := makeTaps(0, p.cropH, p.outH, p.cropH)
		rowBytes := p.outW * ch
		maxTaps := 0
		for _, n := range ty.n {
			maxTaps = max(maxTaps, int(n))
		}
		parallelRows(p.outH, p.outW*p.outH, func(y0, y1 int) {
			rows := make([][]byte, maxTaps)
			for y := y0; y < y1; y++ {
				vpass(mid.pix, out.pix[y*rowBytes:(y+1)*rowBytes], rows, &ty, y, rowBytes)
			}
		})
	}
	if alpha {
		unpremultiply(out)
	}
	return out
}

// hpass filters one row.
func hpass(in, out []byte, t *taps, ch int) {
	n := len(t.start)
	switch ch {
	case 3:
		for i := 0; i < n; i++ {
			s := int(t.start[i]) * 3
			ws := t.w[t.off[i] : t.off[i]+t.n[i]]
			px := in[s : s+len(ws)*3]
			var r, g, b int32
			// Four, then two taps per step cut the loop overhead.
			k := 0
			for ; k+3 < len(ws); k += 4 {
				w0, w1, w2, w3 := ws[k], ws[k+1], ws[k+2], ws[k+3]
				q := px[k*3 : k*3+12 : k*3+12]
				r += int32(q[0])*w0 + int32(q[3])*w1 + int32(q[6])*w2 + int32(q[9])*w3
				g += int32(q[1])*w0 + int32(q[4])*w1 + int32(q[7])*w2 + int32(q[10])*w3
				b += int32(q[2])*w0 + int32(q[5])*w1 + int32(q[8])*w2 + int32(q[11])*w3
			}
			for ; k+1 < len(ws); k += 2 {
				w0, w1 := ws[k], ws[k+1]
				q := px[k*3 : k*3+6 : k*3+6]
				r += int32(q[0])*w0 + int32(q[3])*w1
				g += int32(q[1])*w0 + int32(q[4])*w1
				b += int32(q[2])*w0 + int32(q[5])*w1
			}
			if k < len(ws) {
				w := ws[k]
				q := px[k*3 : k*3+3 : k*3+3]
				r += int32(q[0]) * w
				g += int32(q[1]) * w
				b += int32(q[2]) * w
			}
			o := out[i*3 : i*3+3 : i*3+3]
			o[0], o[1], o[2] = clamp8(r), clamp8(g), clamp8(b)
		}
	case 4:
		for i := 0; i < n; i++ {
			s := int(t.start[i]) * 4
			ws := t.w[t.off[i] : t.off[i]+t.n[i]]
			px := in[s : s+len(ws)*4]
			var r, g, b, a int32
			for k, w := range ws {
				q := px[k*4 : k*4+4 : k*4+4]
				r += int32(q[0]) * w
				g += int32(q[1]) * w
				b += int32(q[2]) * w
				a += int32(q[3]) * w
			}
			o := out[i*4 : i*4+4 : i*4+4]
			o[0], o[1], o[2], o[3] = clamp8(r), clamp8(g), clamp8(b), clamp8(a)
		}
	}
}

// vpass computes output row y from the intermediate's rows. Sums stay in
// registers: eight columns at a time, all taps, then the next eight.
func vpass(mid, out []byte, rows [][]byte, t *taps, y, rowBytes int) {
	s := int(t.start[y])
	ws := t.w[t.off[y] : t.off[y]+t.n[y]]
	rows = rows[:len(ws)]
	for k := range rows {
		rows[k] = mid[(s+k)*rowBytes : (s+k+1)*rowBytes]
	}
	out = out[:rowBytes]
	x := 0
	for ; x+8 <= rowBytes; x += 8 {
		var s0, s1, s2, s3, s4, s5, s6, s7 int32
		for k, r := range rows {
			w := ws[k]
			q := r[x : x+8 : x+8]
			s0 += int32(q[0]) * w
			s1 += int32(q[1]) * w
			s2 += int32(q[2]) * w
			s3 += int32(q[3]) * w
			s4 += int32(q[4]) * w
			s5 += int32(q[5]) * w
			s6 += int32(q[6]) * w
			s7 += int32(q[7]) * w
		}
		o := out[x : x+8 : x+8]
		o[0], o[1], o[2], o[3] = clamp8(s0), clamp8(s1), clamp8(s2), clamp8(s3)
		o[4], o[5], o[6], o[7] = clamp8(s4), clamp8(s5), clamp8(s6), clamp8(s7)
	}
	for ; x+4 <= rowBytes; x += 4 {
		var s0, s1, s2, s3 int32
		for k, r := range rows {
			w := ws[k]
			q := r[x : x+4 : x+4]
			s0 += int32(q[0]) * w
			s1 += int32(q[1]) * w
			s2 += int32(q[2]) * w
			s3 += int32(q[3]) * w
		}
		o := out[x : x+4 : x+4]
		o[0], o[1], o[2], o[3] = clamp8(s0), clamp8(s1), clamp8(s2), clamp8(s3)
	}
	for ; x < rowBytes; x++ {
		var sum int32
		for k, r := range rows {
			sum += int32(r[x]) * ws[k]
		}
		out[x] = clamp8(sum)
	}
}

// parallelRows runs fn over [0,rows) split across the cores when the work
// (in output samples) is large enough to pay for the goroutines.
func parallelRows(rows, work int, fn func(y0, y1 int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > rows {
		workers = rows
	}
	if workers <= 1 || work < 256*1024 {
		fn(0, rows)
		return
	}
	var wg sync.WaitGroup
	step := (rows + workers - 1) / workers
	for y0 := 0; y0 < rows; y0 += step {
		y1 := min(y0+step, rows)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(y0, y1)
		}()
	}
	wg.Wait()
}

func premultiply(r *raster) {
	p := r.pix
	for i := 0; i+3 < len(p); i += 4 {
		a := uint32(p[i+3])
		if a == 255 {
			continue
		}
		p[i] = byte((uint32(p[i])*a + 127) / 255)
		p[i+1] = byte((uint32(p[i+1])*a + 127) / 255)
		p[i+2] = byte((uint32(p[i+2])*a + 127) / 255)
	}
}

func unpremultiply(r *raster) {
	p := r.pix
	for i := 0; i+3 < len(p); i += 4 {
		a := uint32(p[i+3])
		if a == 255 || a == 0 {
			continue
		}
		p[i] = byte(min((uint32(p[i])*255+a/2)/a, 255))
		p[i+1] = byte(min((uint32(p[i+1])*255+a/2)/a, 255))
		p[i+2] = byte(min((uint32(p[i+2])*255+a/2)/a, 255))
	}
}

// boxShrink averages kx×ky blocks of the plan's crop rectangle and returns
// the smaller raster with the plan moved onto it. Up to kx-1 columns and
// ky-1 rows at the crop's far edges are dropped.
func boxShrink(src *raster, p plan, kx, ky int, alloc func(n int) []byte) (*raster, plan) {
	ch := src.ch
	nw, nh := p.cropW/kx, p.cropH/ky
	out := &raster{pix: alloc(nw * nh * ch), w: nw, h: nh, ch: ch}
	n := uint32(kx * ky)
	parallelRows(nh, nw*nh*kx*ky, func(y0, y1 int) {
		acc := make([]uint32, nw*ch)
		for oy := y0; oy < y1; oy++ {
			clear(acc)
			for dy := 0; dy < ky; dy++ {
				base := ((p.cropY+oy*ky+dy)*src.w + p.cropX) * ch
				in := src.pix[base : base+nw*kx*ch]
				for ox := 0; ox < nw; ox++ {
					a := acc[ox*ch : ox*ch+ch]
					px := in[ox*kx*ch : (ox+1)*kx*ch]
					for j := 0; j+ch <= len(px); j += ch {
						for c := range a {
							a[c] += uint32(px[j+c])
						}
					}
				}
			}
			row := out.pix[oy*nw*ch : (oy+1)*nw*ch]
			for i, v := range acc {
				row[i] = byte((v + n/2) / n)
			}
		}
	})
	q := p
	q.srcW, q.srcH = nw, nh
	q.cropX, q.cropY, q.cropW, q.cropH = 0, 0, nw, nh
	return out, q
}
