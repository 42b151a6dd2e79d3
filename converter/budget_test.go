package converter

import (
	"context"
	"errors"
	"image"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/converter/internal/hostile"
	"imgcells/converter/internal/jpegturbo"
)

// The stacks as deployed: the dev stack's converter (1024 MB, 40 MP) and
// the defaults (2048 MB, 50 MP; prod has more memory and the same CPU for
// one decoder).
var (
	devLimits = Limits{MaxSourceBytes: contract.DefaultMaxSourceBytes, MaxSourcePixels: 40_000_000,
		Budget: contract.Budget{MemoryMB: 1024, Timeout: contract.ConverterTimeout}}
	defaultLimits = DefaultLimits()
)

var image256 = image.Rect(8, 8, 200, 200)

// generated makes a class's input once per test binary: the large ones take
// a second to encode.
var generated sync.Map

func generate(t testing.TB, name string, gen func() ([]byte, error)) []byte {
	t.Helper()
	if b, ok := generated.Load(name); ok {
		return b.([]byte)
	}
	b, err := gen()
	if err != nil {
		t.Fatalf("generating %s: %v", name, err)
	}
	generated.Store(name, b)
	return b
}

func huffmanScans(w, h, extra int) func() ([]byte, error) {
	return func() ([]byte, error) {
		return hostile.JPEG{Width: w, Height: h, Process: hostile.Progressive, ExtraScans: extra}.Bytes(), nil
	}
}

// refusedBeforeDecoding converts src and checks the refusal: its status, a
// reason naming what is wrong, no decoder called, and almost nothing
// allocated.
func refusedBeforeDecoding(t *testing.T, src []byte, ops string, lim Limits, status int, reason string) {
	t.Helper()
	v := mustVariant(t, ops)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	calls := decodes.Load()
	res, err := Convert(src, v, lim)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatalf("converted to %dx%d %s, want %d %q", res.Width, res.Height, res.Format, status, reason)
	}
	got, why := contract.StatusOf(err)
	if got != status || !strings.Contains(why, reason) {
		t.Fatalf("%d %q, want %d with a reason containing %q", got, why, status, reason)
	}
	if n := decodes.Load() - calls; n != 0 {
		t.Errorf("the decoder ran %d times before the refusal", n)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing allocated %d bytes", n)
	}
}

// Inputs that would run past the time budget are refused from their
// headers, in milliseconds. A scan flood's cost is the blocks its scans
// visit, so the same 500 scans that are refused on the dev stack's 1024 MB
// (0.58 of a core) fit the default 2048 MB, where they take a few seconds.
func TestBudgetRefusesExpensiveInputsBeforeDecoding(t *testing.T) {
	over := generate(t, "arith-1024-501", hostile.ArithJPEG{Width: 1024, Height: 1024, ExtraScans: 497}.Bytes)
	dc444 := generate(t, "arith-444-dc-500-5000", hostile.ArithJPEG{Width: 5000, Height: 5000, Sampling444: true, ExtraScans: 496, RepeatDC: true}.Bytes)
	const ops, slow = "format=webp,quality=75,width=640", "s to decode, more than this converter's budget"
	for _, lim := range []Limits{devLimits, defaultLimits} {
		refusedBeforeDecoding(t, dc444, ops, lim, http.StatusRequestEntityTooLarge, slow)
		refusedBeforeDecoding(t, over, ops, lim, http.StatusRequestEntityTooLarge, "more than 500 scans")
	}
	arith := generate(t, "arith-500-6324", hostile.ArithJPEG{Width: 6324, Height: 6324, ExtraScans: 496}.Bytes)
	huffman := generate(t, "huffman-500-6324", huffmanScans(6324, 6324, 496))
	for _, src := range [][]byte{arith, huffman} {
		refusedBeforeDecoding(t, src, ops, devLimits, http.StatusRequestEntityTooLarge, slow)
		if _, err := Predict(src, mustVariant(t, ops), defaultLimits); err != nil {
			t.Errorf("with a whole core: %v", err)
		}
	}
}

// The scan limit scales with the image: the scans refused on a large
// image are converted on a small one, whose scans cost a hundredth.
func TestBudgetScanLimitScalesWithPixels(t *testing.T) {
	small := generate(t, "arith-640-400", hostile.ArithJPEG{Width: 640, Height: 480, ExtraScans: 396}.Bytes)
	res, err := Convert(small, mustVariant(t, "format=webp,quality=75,width=320"), devLimits)
	if err != nil || res.Width != 320 || res.Height != 240 {
		t.Fatalf("400 scans of 640x480: %v, want it converted", err)
	}
	large := generate(t, "arith-6324-400", hostile.ArithJPEG{Width: 6324, Height: 6324, ExtraScans: 396}.Bytes)
	refusedBeforeDecoding(t, large, "format=webp,quality=75,width=320", devLimits, http.StatusRequestEntityTooLarge, "to decode")
}

// JPEG processes libjpeg-turbo does not decode are 415, not 422: the file
// may be valid.
func TestUnsupportedJPEGProcessesAre415(t *testing.T) {
	for name, j := range map[string]hostile.JPEG{
		"12-bit":       {Width: 64, Height: 48, Process: hostile.Extended12},
		"lossless":     {Width: 64, Height: 48, Process: hostile.Lossless},
		"hierarchical": {Width: 64, Height: 48, Process: hostile.Hierarchical},
	} {
		t.Run(name, func(t *testing.T) {
			refusedBeforeDecoding(t, j.Bytes(), "format=webp,quality=75", defaultLimits, http.StatusUnsupportedMediaType, name+" JPEG is not supported")
		})
	}
	// The generator's supported processes decode: the refusals above are
	// about the process, not the generator.
	for _, j := range []hostile.JPEG{{Width: 64, Height: 48}, {Width: 64, Height: 48, Process: hostile.Progressive, Gray: true}} {
		if _, err := Convert(j.Bytes(), mustVariant(t, "format=png"), defaultLimits); err != nil {
			t.Errorf("%+v: %v", j, err)
		}
	}
}

// A damaged PNG header is refused before decoding, whichever decoder the
// file would have gone to.
func TestDamagedPNGHeaderIsRefusedBeforeDecoding(t *testing.T) {
	for _, p := range []hostile.PNG{{Width: 32, Height: 32, Depth: 8, Colour: 2}, {Width: 32, Height: 32, Depth: 16, Colour: 6, Interlaced: true}} {
		src, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		bad, err := hostile.WithBadCRC(src, "IHDR")
		if err != nil {
			t.Fatal(err)
		}
		refusedBeforeDecoding(t, bad, "format=png", defaultLimits, http.StatusUnprocessableEntity, "CRC")
		for _, chunk := range []string{"IDAT", "tEXt"} {
			bad, err := hostile.WithBadCRC(hostile.WithChunk(src, "tEXt", []byte("a\x00b")), chunk)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Convert(bad, mustVariant(t, "format=png"), defaultLimits)
			if status, _ := contract.StatusOf(err); chunk == "IDAT" && status != http.StatusUnprocessableEntity || chunk == "tEXt" && err != nil {
				t.Errorf("depth %d, bad %s CRC: %v", p.Depth, chunk, err)
			}
		}
	}
}

// A conversion that outlives its deadline is stopped inside the decoder
// and answered 413 with a reason, never a 5xx.
func TestDeadlineStopsTheDecoderWith413(t *testing.T) {
	slow := generate(t, "arith-2048-400", hostile.ArithJPEG{Width: 2048, Height: 2048, ExtraScans: 396}.Bytes)
	png16, err := hostile.PNG{Width: 256, Height: 256, Depth: 16, Colour: 4, Interlaced: true}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	gif := generate(t, "gif-256", hostile.GIF{Width: 256, Height: 256, Frame: image256}.Bytes)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	short, stop := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer stop()
	for name, c := range map[string]struct {
		ctx context.Context
		src []byte
	}{"jpeg scans": {short, slow}, "png rows": {ended, png16}, "gif reads": {ended, gif}} {
		_, err := ConvertContext(c.ctx, c.src, mustVariant(t, "format=webp,quality=75,width=64"), defaultLimits)
		status, reason := contract.StatusOf(err)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(reason, "too long") || c.ctx.Err() == nil || !errors.Is(err, c.ctx.Err()) {
			t.Errorf("%s: %d %q (%v), want 413 'took too long' wrapping the context's error", name, status, reason, err)
		}
		if name == "jpeg scans" && !errors.Is(err, jpegturbo.ErrAborted) {
			t.Errorf("%s: %v; want libjpeg stopped part-way, not the whole decode run", name, err)
		}
	}
}

// Outputs too large to encode within the time budget (a full-size PNG of a
// 40 MP photo: 15 s and 32 MB before) are scaled down, aspect ratio kept,
// to what the budget allows; outputs that fit (the same photo as JPEG) are
// not. The prediction is what Convert then does.
func TestLargeOutputsShrinkToTheBudget(t *testing.T) {
	src := hostile.JPEG{Width: 7745, Height: 5164}.Bytes() // 40 MP, flat: cheap to decode here, priced as any photo
	for _, c := range []struct {
		ops    string
		shrunk bool
	}{{"format=png", true}, {"format=webp,quality=75", true}, {"format=jpeg,quality=75", false}} {
		p, err := Predict(src, mustVariant(t, c.ops), devLimits)
		if err != nil {
			t.Fatalf("%s: %v", c.ops, err)
		}
		if shrunk := p.Width < 7745; shrunk != c.shrunk {
			t.Errorf("%s: %dx%d, shrunk %v, want %v", c.ops, p.Width, p.Height, shrunk, c.shrunk)
		}
		if ratio := float64(p.Width) / float64(p.Height); ratio < 1.49 || ratio > 1.51 {
			t.Errorf("%s: %dx%d lost the 3:2 aspect ratio", c.ops, p.Width, p.Height)
		}
		if total := p.Decode + p.Resize + p.Encode; total > cpuAllowance(devLimits.Budget) {
			t.Errorf("%s: predicted %v, more than the budget's %v", c.ops, total, cpuAllowance(devLimits.Budget))
		}
	}
	// A small budget shrinks a small image, and Convert makes what Predict
	// said.
	small := Limits{Budget: contract.Budget{MemoryMB: 320, Timeout: 5 * time.Second}}
	src = hostile.JPEG{Width: 3000, Height: 2000}.Bytes()
	p, err := Predict(src, mustVariant(t, "format=png"), small)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(src, mustVariant(t, "format=png"), small)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width >= 3000 || res.Width != p.Width || res.Height != p.Height {
		t.Errorf("predicted %dx%d, converted %dx%d; want the same, smaller than 3000x2000", p.Width, p.Height, res.Width, res.Height)
	}
}
