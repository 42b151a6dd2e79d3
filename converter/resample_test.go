package converter

import (
	"bytes"
	"fmt"
	"math/rand"
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
