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
