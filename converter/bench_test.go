package converter

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"imgcells/contract"
)

// BenchmarkConvert measures the whole pipeline on a test photo, or on the
// file named by IMGCELLS_BENCH_PHOTO (e.g. a 12 MP photo from bench/run.sh's
// set, for figures comparable with the sharp benchmark).
func BenchmarkConvert(b *testing.B) {
	src, name := photo(b, "photo.jpg"), "photo.jpg"
	if p := os.Getenv("IMGCELLS_BENCH_PHOTO"); p != "" {
		var err error
		if src, err = os.ReadFile(p); err != nil {
			b.Fatalf("reading IMGCELLS_BENCH_PHOTO: %v", err)
		}
		name = "custom"
	}
	for _, ops := range []string{"format=webp,quality=75,width=640", "format=webp,quality=75,width=1280", "format=jpeg,quality=80,width=320", "format=png,width=320"} {
		b.Run(fmt.Sprintf("%s/%s", name, ops), func(b *testing.B) {
			v := mustVariant(b, ops)
			b.SetBytes(int64(len(src)))
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Convert(src, v, DefaultLimits()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Timings.Decode.Microseconds())/1000, "decode-ms")
			b.ReportMetric(float64(res.Timings.Resize.Microseconds())/1000, "resize-ms")
			b.ReportMetric(float64(res.Timings.Encode.Microseconds())/1000, "encode-ms")
		})
	}
}

// BenchmarkResize isolates the resizer: a 2112×1584 RGB frame (a 13 MP
// JPEG after 1/2 shrink-on-load) down to 640 wide.
func BenchmarkResize(b *testing.B) {
	src := newRaster(2112, 1584, 3)
	for i := range src.pix {
		src.pix[i] = byte(i * 7)
	}
	for _, w := range []int{640, 1280} {
		p := makePlan(src.w, src.h, 1, contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: w})
		b.Run(strconv.Itoa(w), func(b *testing.B) {
			for b.Loop() {
				resize(src, p, func(n int) []byte { return make([]byte, n) })
			}
		})
	}
}

// BenchmarkPlaneFilters builds the filters of a 1280-wide conversion of a
// 4272×2848 4:2:2 photo decoded at half scale through its planes: the luma
// plane's and the chroma planes' (which Cb and Cr share).
func BenchmarkPlaneFilters(b *testing.B) {
	for range b.N {
		planeFilter(0, 0, 2136, 1424, 2136, 1424, 1280, 853, 1, 1, 1, vp8Y)
		planeFilter(0, 0, 1068, 1424, 1068, 1424, 640, 427, 2, 2, 1, vp8UV)
	}
}
