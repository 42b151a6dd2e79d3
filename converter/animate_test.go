package converter

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"imgcells/contract"
	"imgcells/converter/store/storetest"
)

// testGIF is a 120×80 animation that exercises what a compositor must get
// right: frames smaller than the screen at offsets, transparent pixels,
// every disposal method, delays of 0 and 1 (shown as 100 ms) and a
// NETSCAPE2.0 loop count of 3 (four plays).
func testGIF(t testing.TB) ([]byte, *gif.GIF) {
	t.Helper()
	pal := color.Palette{color.RGBA{}}
	for i := range 31 {
		pal = append(pal, color.RGBA{byte(i * 8), byte(255 - i*8), byte(i * 37 % 256), 255})
	}
	frame := func(r image.Rectangle, paint func(x, y int) uint8) *image.Paletted {
		m := image.NewPaletted(r, pal)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				m.SetColorIndex(x, y, paint(x, y))
			}
		}
		return m
	}
	g := &gif.GIF{LoopCount: 3, Config: image.Config{Width: 120, Height: 80, ColorModel: pal}}
	add := func(m *image.Paletted, delay int, disposal byte) {
		g.Image, g.Delay, g.Disposal = append(g.Image, m), append(g.Delay, delay), append(g.Disposal, disposal)
	}
	add(frame(image.Rect(0, 0, 120, 80), func(x, y int) uint8 { return uint8(1 + (x/20+y/20)%30) }), 20, gif.DisposalNone)
	add(frame(image.Rect(20, 10, 80, 50), func(x, y int) uint8 { return uint8(((x/10 + y/10) % 2) * 5) }), 5, gif.DisposalBackground)
	add(frame(image.Rect(40, 30, 100, 70), func(int, int) uint8 { return 12 }), 0, gif.DisposalPrevious)
	add(frame(image.Rect(0, 0, 60, 40), func(x, _ int) uint8 { return uint8((x / 10 % 2) * 20) }), 1, 0)
	add(frame(image.Rect(60, 40, 120, 80), func(int, int) uint8 { return 25 }), 33, gif.DisposalNone)
	add(frame(image.Rect(10, 60, 30, 75), func(int, int) uint8 { return 30 }), 12, gif.DisposalBackground)
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), g
}

// coalesced is ImageMagick's reading of a GIF, every frame laid on the
// screen as its disposal says (-coalesce): the reference decode.
func coalesced(t *testing.T, src []byte) []image.Image {
	t.Helper()
	bin, err := exec.LookPath("convert")
	if err != nil {
		storetest.SkipOrFail(t, "ImageMagick's convert is not on PATH (apt-get install imagemagick)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.gif")
	if err := os.WriteFile(in, src, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, in, "-coalesce", filepath.Join(dir, "f%03d.png")).CombinedOutput(); err != nil {
		t.Fatalf("convert -coalesce: %v\n%s", err, b)
	}
	var out []image.Image
	for i := 0; ; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("f%03d.png", i)))
		if err != nil {
			break
		}
		m, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// An animated GIF asked as WebP stays animated: as many frames, each
// frame's delay (10 ms or less shown as 100 ms, as browsers do), the
// number of plays, and every frame as the reference decoder composites it
// (transparency included), within lossy WebP's error.
func TestGIFBecomesAnimatedWebP(t *testing.T) {
	src, g := testGIF(t)
	res, err := Convert(src, mustVariant(t, "format=webp,quality=90"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != contract.FormatWebP || res.Frames != len(g.Image) {
		t.Fatalf("%s of %d frames, want WebP of %d", res.Format, res.Frames, len(g.Image))
	}
	a := decodeAnimation(t, res.Data)
	if len(a.frames) != len(g.Image) || a.info.Loop != g.LoopCount+1 {
		t.Errorf("%d frames, %d plays; want %d and %d (GIF loop count %d: repeats after the first)",
			len(a.frames), a.info.Loop, len(g.Image), g.LoopCount+1, g.LoopCount)
	}
	for i, d := range g.Delay {
		want := max(d*10, 0)
		if want <= 10 {
			want = 100
		}
		if i < len(a.ms) && a.ms[i] != want {
			t.Errorf("frame %d lasts %d ms, want %d (GIF delay %d)", i, a.ms[i], want, d)
		}
	}
	ref := coalesced(t, src)
	if len(ref) != len(a.frames) {
		t.Fatalf("reference has %d frames, output %d", len(ref), len(a.frames))
	}
	for i := range ref {
		colourDiff, alphaDiff := frameDiff(a.frames[i], ref[i])
		t.Logf("frame %d: mean colour difference %.2f, %d pixels of another transparency", i, colourDiff, alphaDiff)
		if colourDiff > 4 || alphaDiff > 0 {
			t.Errorf("frame %d: mean colour difference %.2f (want ≤ 4), %d pixels of another transparency (want 0)", i, colourDiff, alphaDiff)
		}
	}
}

// frameDiff compares two frames: the mean absolute difference of the
// colour channels over pixels opaque in both, and the count of pixels
// whose opacity differs (transparent against opaque).
func frameDiff(a, b image.Image) (float64, int) {
	sum, n, alpha := 0.0, 0, 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			q := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			if (p.A < 128) != (q.A < 128) {
				alpha++
				continue
			}
			if p.A < 128 {
				continue
			}
			for _, d := range []int{int(p.R) - int(q.R), int(p.G) - int(q.G), int(p.B) - int(q.B)} {
				sum += float64(max(d, -d))
			}
			n += 3
		}
	}
	return sum / float64(max(n, 1)), alpha
}

// The compositor lays every frame as the reference decoder does, exactly:
// offsets, transparency and the three disposal methods.
func TestGIFFramesMatchReference(t *testing.T) {
	src, g := testGIF(t)
	ref := coalesced(t, src)
	f, err := openGIF(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Image {
		m := image.NewNRGBA(image.Rect(0, 0, 120, 80))
		if _, err := f.next(m.Pix); err != nil {
			t.Fatal(err)
		}
		if c, a := frameDiff(m, ref[i]); c != 0 || a != 0 {
			t.Errorf("frame %d: mean colour difference %.2f, %d pixels of another transparency; want 0 and 0", i, c, a)
		}
	}
}

// quadrantMeans is the mean of each quarter of a frame, colour weighted
// by opacity (premultiplied) and opacity itself: what a resized frame must
// keep, transparent parts included.
func quadrantMeans(m image.Image) [4][4]float64 {
	var q [4][4]float64
	for i, f := range [][4]float64{{0, 0, .5, .5}, {.5, 0, 1, .5}, {0, .5, .5, 1}, {.5, .5, 1, 1}} {
		r := scaledRect(m, f[0], f[1], f[2], f[3])
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
				a := float64(c.A) / 255
				q[i][0] += float64(c.R) * a
				q[i][1] += float64(c.G) * a
				q[i][2] += float64(c.B) * a
				q[i][3] += float64(c.A)
			}
		}
		for c := range q[i] {
			q[i][c] /= float64(r.Dx() * r.Dy())
		}
	}
	return q
}

func closeMeans(a, b [4][4]float64, tol float64) bool {
	for i := range a {
		for c := range a[i] {
			if d := a[i][c] - b[i][c]; d > tol || d < -tol {
				return false
			}
		}
	}
	return true
}

// Resized, every frame keeps its picture; an animated WebP source stays
// animated with its own frames, timing and plays.
func TestAnimationsResize(t *testing.T) {
	src, g := testGIF(t)
	full, err := Convert(src, mustVariant(t, "format=webp,quality=90"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := decodeAnimation(t, full.Data)
	for _, c := range []struct {
		name string
		src  []byte
	}{{"gif", src}, {"animated webp", full.Data}} {
		res, err := Convert(c.src, mustVariant(t, "format=webp,quality=90,width=60"), DefaultLimits())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := decodeAnimation(t, res.Data)
		if got.info.Width != 60 || got.info.Height != 40 || len(got.frames) != len(g.Image) || got.info.Loop != want.info.Loop {
			t.Fatalf("%s: %dx%d, %d frames, %d plays; want 60x40, %d, %d", c.name, got.info.Width, got.info.Height,
				len(got.frames), got.info.Loop, len(g.Image), want.info.Loop)
		}
		for i := range got.frames {
			if got.ms[i] != want.ms[i] {
				t.Errorf("%s frame %d: %d ms, want %d", c.name, i, got.ms[i], want.ms[i])
			}
			if a, b := quadrantMeans(got.frames[i]), quadrantMeans(want.frames[i]); !closeMeans(a, b, 8) {
				t.Errorf("%s frame %d: quarters %v, want %v", c.name, i, a, b)
			}
		}
	}
}

// Asked as JPEG or PNG, an animation gives its first frame, as before.
func TestAnimationAsStillIsTheFirstFrame(t *testing.T) {
	src, _ := testGIF(t)
	first := coalesced(t, src)[0]
	for _, ops := range []string{"format=png", "format=jpeg,quality=90"} {
		res, err := Convert(src, mustVariant(t, ops), DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if res.Frames != 0 {
			t.Errorf("%s: %d frames, want a still image", ops, res.Frames)
		}
		if a, b := quadrantMeans(decodeOutput(t, res)), quadrantMeans(first); !closeMeans(a, b, 6) {
			t.Errorf("%s: quarters %v, want the first frame's %v", ops, a, b)
		}
	}
}

// manyFrames is a w×h GIF of n one-pixel frames, each with its own colour.
func manyFrames(t testing.TB, n, w, h int) []byte {
	t.Helper()
	g := &gif.GIF{Config: image.Config{Width: w, Height: h}}
	for i := range n {
		m := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.Gray{Y: uint8(i)}})
		g.Image, g.Delay, g.Disposal = append(g.Image, m), append(g.Delay, 2), append(g.Disposal, 0)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Kept animated, an animation is refused (413, before decoding) past the
// frame limit, or when its frames, each the whole canvas, add up past the
// pixel limit. Asked as a still image, only the first frame counts.
func TestAnimationLimits(t *testing.T) {
	v := mustVariant(t, "format=webp,quality=75")
	for _, c := range []struct {
		name   string
		src    []byte
		lim    Limits
		reason string
	}{
		{"frames", manyFrames(t, 501, 8, 8), DefaultLimits(), "501 frames, more than the limit of 500"},
		{"pixels", manyFrames(t, 40, 400, 400), Limits{MaxSourcePixels: 5_000_000, MaxFrames: 500}, "6400000 pixels, more than the limit of 5000000"},
	} {
		_, err := Convert(c.src, v, c.lim)
		var e *contract.Error
		if !errors.As(err, &e) || e.Status != 413 || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: %v, want a 413 saying %q", c.name, err, c.reason)
		}
		if res, err := Convert(c.src, mustVariant(t, "format=png"), c.lim); err != nil || res.Frames != 0 {
			t.Errorf("%s as PNG: %v, want its first frame", c.name, err)
		}
	}
	if res, err := Convert(manyFrames(t, 500, 8, 8), v, DefaultLimits()); err != nil || res.Frames != 500 {
		t.Errorf("500 frames: %v; want all of them", err)
	}
}

// An animation that could not be converted within the function's time is
// refused from its headers (413, nothing decoded), with the time it would
// take: here 200 frames of a 2000×2000 canvas, within a raised pixel limit.
func TestAnimationOverBudgetIsRefusedUpFront(t *testing.T) {
	src := manyFrames(t, 200, 2000, 2000)
	lim := DefaultLimits()
	lim.MaxSourcePixels = 1 << 40
	before := decodes.Load()
	_, err := Convert(src, mustVariant(t, "format=webp,quality=75"), lim)
	var e *contract.Error
	if !errors.As(err, &e) || e.Status != 413 || !strings.Contains(err.Error(), "200-frame 2000x2000 animation would take about") {
		t.Fatalf("%v, want a 413 giving the time it would take", err)
	}
	if decodes.Load() != before {
		t.Error("the refusal decoded the animation first")
	}
	// Its first frame alone fits.
	if _, err := Convert(src, mustVariant(t, "format=png,width=100"), lim); err != nil {
		t.Errorf("as a still image: %v", err)
	}
}
