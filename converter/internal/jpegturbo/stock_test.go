package jpegturbo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"imgcells/converter/internal/crossarch"
	"imgcells/converter/internal/hostile"
	"imgcells/converter/internal/jpegturbo/stock"
)

// The converter's libjpeg-turbo carries patches (patches/, a faster decoder
// for progressive refinement scans). They must change nothing but speed: the
// same pixels at every scale and the same outcome (an error or not) as
// Debian's own build of the same release, on well-formed progressive JPEGs
// of every kind of scan script and on damaged ones (truncated, bits flipped,
// a refinement scan repeated, so that a coefficient meets its correction bit
// twice).
func TestProgressiveDecodeMatchesDebianBuild(t *testing.T) {
	requireStock(t)
	files := progressiveCorpus(t)
	rng := rand.New(rand.NewPCG(1, 2))
	cases := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range damaged(t, src, rng) {
			for _, denom := range []int{1, 2, 4, 8} {
				cases++
				if msg := compareWithStock(v, denom); msg != "" {
					t.Errorf("%s, %s, 1/%d: %s", filepath.Base(f), name, denom, msg)
				}
			}
		}
	}
	t.Logf("%d decodes compared", cases)
}

// TestPatchedDecoderOnTheOtherArchitecture runs the comparison above for
// the architecture this machine is not (arm64 on amd64, as Lambda runs: the
// patch has an SSE2 and a NEON form) against Debian's build for it.
func TestPatchedDecoderOnTheOtherArchitecture(t *testing.T) {
	crossarch.Run(t, false, "TestProgressiveDecodeMatchesDebianBuild")
}

// FuzzProgressiveDecodeMatchesDebianBuild looks for an input on which the
// patched decoder and Debian's disagree.
func FuzzProgressiveDecodeMatchesDebianBuild(f *testing.F) {
	requireStock(f)
	files, _ := filepath.Glob("testdata/progressive/*.jpg")
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, uint8(1))
	}
	f.Fuzz(func(t *testing.T, src []byte, scale uint8) {
		if len(src) > 1<<20 {
			return
		}
		denom := 1 << (scale % 4)
		if msg := compareWithStock(src, denom); msg != "" {
			t.Fatalf("1/%d: %s", denom, msg)
		}
	})
}

// progressiveCorpus lists the progressive JPEGs of every kind of scan script
// (testdata/progressive) and the sample progressive photo.
func progressiveCorpus(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/progressive/*.jpg")
	if err != nil || len(files) == 0 {
		t.Fatalf("no progressive corpus: %v", err)
	}
	return append(files, "../../../testdata/photos/progressive.jpg")
}

// requireStock skips without Debian's libjpeg62-turbo (fails in CI, which
// installs it).
func requireStock(tb testing.TB) {
	tb.Helper()
	if _, err := stock.DecodeStock(testPhoto(tb, "progressive.jpg"), 1); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			tb.Fatalf("Debian's libjpeg-turbo (%s, package libjpeg62-turbo): %v", stock.Library, err)
		}
		tb.Skipf("Debian's libjpeg-turbo (%s, package libjpeg62-turbo) is not usable: %v", stock.Library, err)
	}
}

// damaged returns src and damaged copies of it, by name.
func damaged(t *testing.T, src []byte, rng *rand.Rand) map[string][]byte {
	t.Helper()
	out := map[string][]byte{"intact": src}
	for i := range 10 {
		n := len(src) * (40 + 6*i) / 100
		out[fmt.Sprintf("cut at %d", n)] = src[:n]
	}
	for i := range 40 {
		b := bytes.Clone(src)
		flips := []int{1, 2, 5, 20}[i%4]
		for range flips {
			at := len(b)/10 + rng.IntN(len(b)-len(b)/10)
			b[at] ^= 1 << rng.IntN(8)
		}
		out[fmt.Sprintf("%d bits flipped (%d)", flips, i)] = b
	}
	for _, n := range []int{1, 3} {
		b, err := hostile.RepeatScan(src, -1, n)
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("last scan repeated %d more times", n)] = b
	}
	return out
}

// compareWithStock decodes src with both libraries, the patched one both
// as usual and by row bands, and says how they differ ("" when they agree).
func compareWithStock(src []byte, denom int) string {
	theirs, errTheirs := stock.DecodeStock(src, denom)
	ours, errOurs := stock.DecodeLinked(src, denom)
	if msg := compareImages(ours, errOurs, theirs, errTheirs); msg != "" {
		return msg
	}
	bands, errBands := stock.DecodeLinkedBands(src, denom)
	if msg := compareImages(bands, errBands, theirs, errTheirs); msg != "" {
		return fmt.Sprintf("by row bands (state %d): %s", bands.Band, msg)
	}
	return ""
}

func compareImages(ours stock.Image, errOurs error, theirs stock.Image, errTheirs error) string {
	switch {
	case (errOurs == nil) != (errTheirs == nil):
		return fmt.Sprintf("outcome differs: patched %v, Debian's %v", errOurs, errTheirs)
	case errOurs != nil:
		return ""
	case ours.Width != theirs.Width || ours.Height != theirs.Height || ours.Components != theirs.Components:
		return fmt.Sprintf("size differs: patched %dx%dx%d, Debian's %dx%dx%d",
			ours.Width, ours.Height, ours.Components, theirs.Width, theirs.Height, theirs.Components)
	}
	if i := firstDifference(ours.Pix, theirs.Pix); i >= 0 {
		px := i / ours.Components
		return fmt.Sprintf("pixels differ, first at (%d,%d): patched %d, Debian's %d",
			px%ours.Width, px/ours.Width, ours.Pix[i], theirs.Pix[i])
	}
	return ""
}

func firstDifference(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// BenchmarkDecodeAgainstDebianBuild decodes the same progressive JPEGs at
// half scale (the 1280-wide conversion of a 12 MP photo) with the patched
// library and with Debian's: compare the two sub-benchmarks of one run.
// IMGCELLS_BENCH_JPEGS (a glob, e.g. 'bench/out/photos/*.jpg' from the
// repository's root, which bench/run.sh fills) picks the files; by default
// the progressive test corpus. Freed memory is kept for the next decode, as
// in a warm converter.
func BenchmarkDecodeAgainstDebianBuild(b *testing.B) {
	requireStock(b)
	stock.KeepFreedMemory()
	pattern := os.Getenv("IMGCELLS_BENCH_JPEGS")
	if pattern == "" {
		pattern = "testdata/progressive/*.jpg"
	} else if !filepath.IsAbs(pattern) {
		pattern = filepath.Join("../../..", pattern)
	}
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		b.Fatalf("no JPEGs match %s", pattern)
	}
	var srcs [][]byte
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	for _, lib := range []struct {
		name   string
		decode func([]byte, int) (stock.Image, error)
	}{{"patched", stock.DecodeLinked}, {"debian", stock.DecodeStock}} {
		b.Run(lib.name, func(b *testing.B) {
			for b.Loop() {
				for _, src := range srcs {
					if _, err := lib.decode(src, 2); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
