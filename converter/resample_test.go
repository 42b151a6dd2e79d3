package converter

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"syscall"
	"testing"
)

// The C loops give exactly the bytes of the plain Go loops below, which
// spell out the fixed-point arithmetic, for every channel count and scale.
func TestResampleMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, ch := range []int{3, 4} {
		for _, c := range [][4]int{{97, 61, 40, 17}, {300, 200, 299, 150}, {64, 64, 7, 3}, {1000, 10, 333, 9}} {
			inW, inH, outW, outH := c[0], c[1], c[2], c[3]
			t.Run(fmt.Sprintf("%dch %dx%d to %dx%d", ch, inW, inH, outW, outH), func(t *testing.T) {
				src := make([]byte, inW*inH*ch)
				if _, err := rng.Read(src); err != nil {
					t.Fatal(err)
				}
				if inW == 300 {
					// Only 0 and 255: the lobes overshoot both ends, so the
					// SIMD packs' saturation is checked against clamp8.
					for i := range src {
						src[i] = byte(-int8(src[i] >> 7))
					}
				}
				tx := makeTaps(0, inW, outW, inW)
				mid := make([]byte, outW*inH*ch)
				hpassRows(src, inW*ch, mid, &tx, ch, 0, inH)
				ref := make([]byte, len(mid))
				for y := range inH {
					refHpass(src[y*inW*ch:(y+1)*inW*ch], ref[y*outW*ch:(y+1)*outW*ch], &tx, ch)
				}
				if !bytes.Equal(mid, ref) {
					t.Fatal("horizontal pass differs from the reference")
				}
				ty := makeTaps(0, inH, outH, inH)
				rowBytes := outW * ch
				out := make([]byte, outH*rowBytes)
				vpassRows(mid, rowBytes, rowBytes, out, &ty, 0, outH, make([]int32, rowBytes))
				ref = make([]byte, len(out))
				for y := range outH {
					refVpass(mid, ref[y*rowBytes:(y+1)*rowBytes], &ty, y, rowBytes)
				}
				if !bytes.Equal(out, ref) {
					t.Fatal("vertical pass differs from the reference")
				}
			})
		}
	}
}

func refHpass(in, out []byte, t *taps, ch int) {
	for i := range t.start {
		var sum [4]int32
		for k := range t.n[i] {
			w := t.w[t.off[i]+k]
			for c := range ch {
				sum[c] += int32(in[(int(t.start[i]+k))*ch+c]) * w
			}
		}
		for c := range ch {
			out[i*ch+c] = clamp8(sum[c])
		}
	}
}

func refVpass(mid, out []byte, t *taps, y, rowBytes int) {
	for x := range rowBytes {
		var sum int32
		for k := range t.n[y] {
			sum += int32(mid[int(t.start[y]+k)*rowBytes+x]) * t.w[t.off[y]+k]
		}
		out[x] = clamp8(sum)
	}
}

// The C box average gives exactly the plain Go loop's bytes (the rounded
// mean, (sum + n/2) / n), at every block size, past 2^16 samples a block
// included, from a crop that starts inside the image.
func TestBoxMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, ch := range []int{3, 4} {
		for _, k := range [][2]int{{2, 2}, {3, 2}, {1, 5}, {7, 1}, {3, 3}, {17, 13}, {300, 260}} {
			kx, ky := k[0], k[1]
			w, h := kx*5+3, ky*4+2
			src := make([]byte, w*h*ch)
			if _, err := rng.Read(src); err != nil {
				t.Fatal(err)
			}
			if kx == 300 {
				for i := range src {
					src[i] = 255 - byte(i%3) // sums near their largest
				}
			}
			nw, nh := (w-1)/kx, (h-2)/ky
			corner := src[(2*w+1)*ch:]
			out := make([]byte, nw*nh*ch)
			boxRows(corner, w*ch, nw, ch, kx, ky, out, 0, nh)
			ref := refBox(corner, w*ch, nw, nh, ch, kx, ky)
			if i := bytes.Compare(out, ref); i != 0 {
				t.Fatalf("%dch %dx%d blocks: the C average differs from the reference", ch, kx, ky)
			}
		}
	}
}

func refBox(src []byte, stride, nw, nh, ch, kx, ky int) []byte {
	out := make([]byte, nw*nh*ch)
	n := uint32(kx * ky)
	for oy := range nh {
		for ox := range nw {
			for c := range ch {
				var sum uint32
				for dy := range ky {
					for dx := range kx {
						sum += uint32(src[(oy*ky+dy)*stride+(ox*kx+dx)*ch+c])
					}
				}
				out[(oy*nw+ox)*ch+c] = byte((sum + n/2) / n)
			}
		}
	}
	return out
}

// The SIMD loops multiply 16-bit samples by 16-bit weights: every weight
// makeTaps can produce stays below 2.0 (1<<15) in magnitude, whatever the
// scale, the crop and the image edge.
func TestTapWeightsFitSixteenBits(t *testing.T) {
	for inN := 1; inN <= 300; inN++ {
		for _, outN := range []int{1, 2, 3, 5, 7, 64, 299, 300, 301, 640, 1111} {
			for _, in0 := range []int{0, inN / 3} {
				n := inN - in0
				tp := makeTaps(in0, n, outN, inN)
				for _, w := range tp.w {
					if w >= 1<<15 || w <= -(1<<15) {
						t.Fatalf("%d samples (from %d) to %d: weight %d does not fit in 16 bits", n, in0, outN, w)
					}
				}
			}
		}
	}
}

// The horizontal pass loads four bytes a pixel, so a 3-byte pixel's load
// reaches one byte beyond it: it must never reach past the buffer. The
// raster here ends on the last byte before an unreadable page; reading past
// it kills the test binary.
func TestHpassReadsNothingPastItsBuffer(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("no anonymous mmap:", err)
	}
	defer func() { _ = syscall.Munmap(mem) }()
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("no mprotect:", err)
	}
	for _, c := range [][3]int{{40, 9, 17}, {41, 7, 40}, {5, 3, 2}, {100, 13, 100}} {
		inW, inH, outW := c[0], c[1], c[2]
		n := inW * inH * 3
		in := mem[page-n : page]
		for i := range in {
			in[i] = byte(i * 13)
		}
		tx := makeTaps(0, inW, outW, inW)
		out := make([]byte, outW*inH*3)
		hpassRows(in, inW*3, out, &tx, 3, 0, inH)
		ref := make([]byte, len(out))
		for y := range inH {
			refHpass(in[y*inW*3:(y+1)*inW*3], ref[y*outW*3:(y+1)*outW*3], &tx, 3)
		}
		if !bytes.Equal(out, ref) {
			t.Fatalf("%dx%d to %d wide: the pass at the buffer's end differs from the reference", inW, inH, outW)
		}
	}
}

// A boxed filter is the mean of the filter at twice the rate: output i of
// makeBoxedTaps(…, 2) weighs each sample as outputs 2i and 2i+1 of the
// plain taps at twice the outputs do together, to within 0.1 % (each is
// normalised on its own), away from the ends (where each is renormalised
// over what it can read).
func TestBoxedTapsAreTheMeanOfTheFinerFilter(t *testing.T) {
	for _, c := range []struct {
		in0, inN  float64
		outN, lim int
	}{{0, 1068, 320, 1068}, {0.5, 1001.25, 333, 1002}, {3, 400, 640, 404}, {0, 240, 240, 240}} {
		boxed := makeBoxedTaps(c.in0, c.inN, c.outN, c.lim, 2)
		fine := makeSpanTaps(c.in0, c.inN, 2*c.outN, c.lim)
		weight := func(tp taps, i, j int) float64 {
			k := j - int(tp.start[i])
			if k < 0 || k >= int(tp.n[i]) {
				return 0
			}
			return float64(tp.w[int(tp.off[i])+k]) / weightOne
		}
		for i := range c.outN {
			if fine.start[2*i] == 0 || int(fine.start[2*i+1]+fine.n[2*i+1]) >= c.lim {
				continue
			}
			for j := range c.lim {
				want := (weight(fine, 2*i, j) + weight(fine, 2*i+1, j)) / 2
				if got := weight(boxed, i, j); math.Abs(got-want) > 1e-3 {
					t.Fatalf("%+v: output %d, sample %d: weight %.5f, want %.5f", c, i, j, got, want)
				}
			}
		}
	}
}

// Upsampled taps filter a subsampled row as the filter on the row libjpeg's
// fancy upsampling would make (each doubled sample ¾ its own, ¼ its nearer
// neighbour, the edges repeated), to the fixed point's rounding.
func TestUpsampledTapsFilterTheFancyUpsampledRow(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	const n = 301
	row := make([]float64, n)
	for i := range row {
		row[i] = float64(rng.Intn(256))
	}
	up := make([]float64, 2*n)
	for i := range n {
		up[2*i] = 0.75*row[i] + 0.25*row[max(i-1, 0)]
		up[2*i+1] = 0.75*row[i] + 0.25*row[min(i+1, n-1)]
	}
	apply := func(tp taps, src []float64, i int) float64 {
		s := 0.0
		for k := range int(tp.n[i]) {
			s += src[int(tp.start[i])+k] * float64(tp.w[int(tp.off[i])+k]) / weightOne
		}
		return s
	}
	for _, c := range []struct {
		in0, inN float64
		outN     int
	}{{0, n, 320}, {0, n, 100}, {10.25, 200.5, 77}} {
		got := makeUpsampledTaps(c.in0, c.inN, c.outN, n, 2, 2)
		want := makeBoxedTaps(2*c.in0, 2*c.inN, c.outN, 2*n, 2)
		for i := range c.outN {
			if a, b := apply(got, row, i), apply(want, up, i); math.Abs(a-b) > 0.1 {
				t.Fatalf("%+v: output %d is %.3f, the upsampled row's %.3f", c, i, a, b)
			}
		}
	}
}

// The plane pass gives the plain loop's bytes: each output the weighted
// sum of its samples under the scaled weights, plus the offset, shifted
// and clamped once, for rows that end at the buffer's end too.
func TestPlanePassMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, c := range [][3]int{{1068, 7, 640}, {300, 5, 299}, {41, 3, 17}, {9, 2, 4}, {2000, 3, 45}} {
		inW, inH, outW := c[0], c[1], c[2]
		in := make([]byte, inW*inH)
		for i := range in {
			in[i] = byte(rng.Intn(256))
		}
		for _, m := range []rangeMap{{1, 0}, vp8Y, vp8UV} {
			tx := makeSpanTaps(0, float64(inW), outW, inW)
			t1 := tx.forPlane(0, m)
			out := make([]byte, outW*inH)
			hpass1Rows(in, inW, out, outW, &t1, 0, inH)
			for y := range inH {
				for i := range outW {
					s := int32(0)
					for k := range int(t1.n[i]) {
						s += int32(in[y*inW+int(t1.start[i])+k]) * int32(t1.w[i*8*t1.groups+k])
					}
					want := min(max((s+t1.add)>>14, 0), 255)
					if got := out[y*outW+i]; int32(got) != want {
						t.Fatalf("%dx%d to %d, %+v: row %d output %d is %d, want %d", inW, inH, outW, m, y, i, got, want)
					}
				}
			}
			// The map itself: a flat row comes out as v·scale + offset.
			flat := bytes.Repeat([]byte{200}, inW)
			o := make([]byte, outW)
			hpass1Rows(flat, inW, o, outW, &t1, 0, 1)
			if want := math.Round(200*m.scale + m.offset); math.Abs(float64(o[outW/2])-want) > 0.5 {
				t.Fatalf("%+v: flat 200 came out %d, want %.0f", m, o[outW/2], want)
			}
		}
	}
}

// resize runs the passes a band of rows at a time: its output is the whole
// vertical pass followed by the whole horizontal pass, for crops, sizes that
// are no multiple of the band, and each pass alone (reductions under 4×,
// which take no box pre-shrink).
func TestResizeInBandsIsThePassesWhole(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, c := range []struct {
		w, h, ch int
		p        plan
	}{
		{300, 200, 3, plan{cropX: 0, cropY: 0, cropW: 300, cropH: 200, outW: 121, outH: 53}},
		{300, 200, 3, plan{cropX: 17, cropY: 33, cropW: 250, cropH: 150, outW: 100, outH: 61}},
		{300, 200, 3, plan{cropW: 300, cropH: 200, outW: 300, outH: 77}}, // vertical only
		{300, 200, 3, plan{cropW: 300, cropH: 200, outW: 99, outH: 200}}, // horizontal only
		{64, 40, 4, plan{cropW: 64, cropH: 40, outW: 33, outH: 17}},
	} {
		src := &raster{pix: make([]byte, c.w*c.h*c.ch), w: c.w, h: c.h, ch: c.ch}
		for i := range src.pix {
			src.pix[i] = byte(rng.Intn(256))
			if c.ch == 4 && i%4 == 3 {
				src.pix[i] = 255 // opaque: no premultiplying in the way
			}
		}
		p := c.p
		p.srcW, p.srcH = c.w, c.h
		got := resize(src, p, func(n int) []byte { return make([]byte, n) })
		// The reference: every output row of the vertical pass, then the
		// horizontal pass over all of them.
		rowBytes := p.cropW * c.ch
		mid := make([]byte, p.outH*rowBytes)
		if p.outH == p.cropH {
			for y := range p.outH {
				s := ((p.cropY+y)*c.w + p.cropX) * c.ch
				copy(mid[y*rowBytes:], src.pix[s:s+rowBytes])
			}
		} else {
			ty := makeTaps(p.cropY, p.cropH, p.outH, c.h)
			cols := src.pix[p.cropX*c.ch:]
			for y := range p.outH {
				// refVpass reads rows rowBytes apart: lay the crop's
				// columns out that way first.
				rows := make([]byte, c.h*rowBytes)
				for yy := range c.h {
					copy(rows[yy*rowBytes:], cols[yy*c.w*c.ch:yy*c.w*c.ch+rowBytes])
				}
				refVpass(rows, mid[y*rowBytes:], &ty, y, rowBytes)
			}
		}
		want := mid
		if p.outW != p.cropW {
			tx := makeTaps(0, p.cropW, p.outW, p.cropW)
			want = make([]byte, p.outH*p.outW*c.ch)
			for y := range p.outH {
				refHpass(mid[y*rowBytes:(y+1)*rowBytes], want[y*p.outW*c.ch:], &tx, c.ch)
			}
		}
		if got.w != p.outW || got.h != p.outH || !bytes.Equal(got.pix, want) {
			t.Errorf("%dx%d, %+v: resize differs from the passes run whole", c.w, c.h, c.p)
		}
	}
}

// The stepped sines of lanczosRow give lanczos itself, sample for sample.
func TestLanczosRowIsLanczos(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for range 200 {
		fscale := 1 + 4*rng.Float64()
		c := 100 * rng.Float64()
		lo := int(c-3*fscale) - 1
		row := make([]float64, int(6*fscale)+3)
		lanczosRow(row, lo, c, fscale)
		for k, got := range row {
			if want := lanczos((float64(lo+k) + 0.5 - c) / fscale); math.Abs(got-want) > 1e-12 {
				t.Fatalf("fscale %.3f, centre %.3f, sample %d: %.15f, lanczos gives %.15f", fscale, c, lo+k, got, want)
			}
		}
	}
}

// lanczos is the Lanczos-3 kernel computed directly, the reference for
// lanczosRow.
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
