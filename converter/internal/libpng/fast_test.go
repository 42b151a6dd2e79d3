package libpng

import (
	"bytes"
	"context"
	"image/png"
	"math/rand/v2"
	"testing"

	"imgcells/converter/internal/hostile"
)

func mk(n int) []byte { return make([]byte, n) }

// goEncoded re-encodes a test photo with Go's encoder, whose adaptive
// filter choice uses all five PNG row filters.
func goEncoded(t *testing.T, name string) []byte {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(testPhoto(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// agree decodes src both ways and fails unless the fast path's answer is
// libpng's: the same pixels, or an error where libpng errs. It reports
// whether the fast path answered (rather than handing the file on).
func agree(t testing.TB, src []byte, maxPixels int64) bool {
	t.Helper()
	fast, done, ferr := decodeFast(context.Background(), src, maxPixels, mk)
	if !done {
		return false
	}
	slow, serr := decodeLibpng(context.Background(), src, maxPixels, mk)
	switch {
	case ferr != nil && serr == nil:
		t.Fatalf("fast path: %v; libpng decodes it", ferr)
	case ferr == nil && serr != nil:
		t.Fatalf("fast path decodes it; libpng: %v", serr)
	case ferr == nil:
		if fast.Width != slow.Width || fast.Height != slow.Height || fast.Components != slow.Components {
			t.Fatalf("fast %dx%dx%d, libpng %dx%dx%d", fast.Width, fast.Height, fast.Components, slow.Width, slow.Height, slow.Components)
		}
		if i := firstDiff(fast.Pix, slow.Pix); i >= 0 {
			t.Fatalf("byte %d of %d: fast %d, libpng %d", i, len(slow.Pix), fast.Pix[i], slow.Pix[i])
		}
	}
	return true
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// Every bit depth of every colour type, interlaced or not, at sizes that
// leave Adam7 passes empty or partial, with every filter type.
func kinds() []pngSpec {
	depths := map[int][]int{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
	var specs []pngSpec
	for colour, ds := range depths {
		for _, d := range ds {
			for _, size := range [][2]int{{1, 1}, {3, 2}, {7, 5}, {33, 17}, {64, 9}} {
				for _, il := range []bool{false, true} {
					s := pngSpec{w: size[0], h: size[1], depth: d, colour: colour, interlaced: il}
					if colour == 3 {
						s.plte = bytes.Repeat([]byte{10, 200, 30}, 1<<d) // every index has a colour
					}
					specs = append(specs, s)
				}
			}
		}
	}
	return specs
}

func TestFastPathMatchesLibpngEveryKind(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range kinds() {
		for i := range 3 {
			s.idats = i + 1
			if !agree(t, s.bytes(r), 0) {
				t.Fatalf("%+v: the fast path declined it", s)
			}
		}
	}
}

// Transparency: grey and RGB colour keys (whose samples rows of filter
// type None hit often, drawn from a few values), palettes with alpha for
// some entries, palettes shorter than the indices used.
func TestFastPathTransparencyMatchesLibpng(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	few := func() byte { return []byte{0, 1, 0x55, 0xFF}[r.IntN(4)] }
	var cases []pngSpec
	for _, d := range []int{1, 2, 4, 8, 16} {
		for _, key := range []string{"\x00\x00", "\x00\x01", "\x01\x01", "\xFF\xFF", "\x00\x55"} {
			cases = append(cases, pngSpec{depth: d, colour: 0, trns: []byte(key)})
		}
	}
	for _, d := range []int{8, 16} {
		for _, key := range []string{"\x00\x01\x00\x01\x00\x01", "\x01\x01\x00\x55\xFF\xFF", "\x00\x00\x00\x00\x00\x00"} {
			cases = append(cases, pngSpec{depth: d, colour: 2, trns: []byte(key)})
		}
	}
	for _, d := range []int{1, 2, 4, 8} {
		n := 1 << d
		cases = append(cases,
			pngSpec{depth: d, colour: 3, plte: bytes.Repeat([]byte{1, 2, 3, 4, 5, 6}, n/2+1)[:3*n], trns: []byte{0, 128}},
			pngSpec{depth: d, colour: 3, plte: []byte{9, 8, 7}, trns: []byte{77}},
			pngSpec{depth: d, colour: 3, plte: []byte{9, 8, 7, 6, 5, 4}})
	}
	for _, s := range cases {
		for _, il := range []bool{false, true} {
			s.w, s.h, s.interlaced = 19, 11, il
			s.raw = s.randomRaw(r, few)
			if !agree(t, s.bytes(r), 0) {
				t.Fatalf("%+v: the fast path declined it", s)
			}
		}
	}
}

// Every 16-bit sample value rounds to libpng's 8 bits.
func TestFastPathScales16BitSamplesAsLibpng(t *testing.T) {
	raw := make([]byte, 0, 256*(1+512))
	for y := range 256 {
		raw = append(raw, 0)
		for x := range 256 {
			raw = append(raw, byte(y), byte(x))
		}
	}
	s := pngSpec{w: 256, h: 256, depth: 16, colour: 0, raw: raw}
	if !agree(t, s.bytes(nil), 0) {
		t.Fatal("the fast path declined it")
	}
}

// Colour chunks: libpng leaves the samples alone unless a gAMA chunk
// stands alone and is not about sRGB's; then the fast path declines.
func TestFastPathGamma(t *testing.T) {
	chrm := "\x00\x00\x7a\x26\x00\x00\x80\x84\x00\x00\xfa\x00\x00\x00\x80\xe8\x00\x00\x75\x30\x00\x00\xea\x60\x00\x00\x3a\x98\x00\x00\x17\x6f"
	cases := []struct {
		chunks [][2]string
		fast   bool
	}{
		{[][2]string{{"gAMA", "\x00\x00\xb1\x8f"}}, true}, // 1/2.2
		{[][2]string{{"gAMA", "\x00\x01\x86\xa0"}}, false},
		{[][2]string{{"gAMA", "\x00\x01\x86\xa0"}, {"cHRM", chrm}}, true},
		{[][2]string{{"sRGB", "\x00"}, {"gAMA", "\x00\x00\xb1\x8f"}}, true},
		{[][2]string{{"tEXt", "Comment\x00hi"}}, true},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i, c := range cases {
		s := pngSpec{w: 20, h: 10, depth: 8, colour: 2, chunks: c.chunks}
		if got := agree(t, s.bytes(r), 0); got != c.fast {
			t.Errorf("case %d (%q): fast path took it: %v, want %v", i, c.chunks, got, c.fast)
		}
	}
}

func TestFastPathMatchesLibpngOnPhotos(t *testing.T) {
	cases := map[string][]byte{
		"photo.png (RGB)":       testPhoto(t, "photo.png"),
		"alpha.png (RGBA)":      testPhoto(t, "alpha.png"),
		"palette.png":           testPhoto(t, "palette.png"),
		"photo16.png":           testPhoto(t, "photo16.png"),
		"RGB, all filters":      goEncoded(t, "photo.png"),
		"RGBA, all filters":     goEncoded(t, "alpha.png"),
		"with a suggested PLTE": hostile.WithChunk(testPhoto(t, "photo.png"), "PLTE", []byte{1, 2, 3}),
	}
	for name, src := range cases {
		if !agree(t, src, 0) {
			t.Errorf("%s: the fast path declined it", name)
		}
	}
}

// Damage the fast path leaves to libpng, or answers as libpng does.
func TestFastPathDamage(t *testing.T) {
	photo := testPhoto(t, "photo.png")
	r := rand.New(rand.NewPCG(7, 8))
	split := pngSpec{w: 30, h: 20, depth: 8, colour: 2, idats: 3}.bytes(r)
	// A chunk between two IDATs: libpng stops at it, short of image data.
	at := bytes.LastIndex(split, []byte("IDAT")) - 4
	interrupted := append(append(append([]byte{}, split[:at]...), hostile.AppendChunk(nil, "tEXt", []byte("a\x00b"))...), split[at:]...)
	cases := map[string][]byte{
		"truncated":       photo[:len(photo)/2],
		"no IEND":         photo[:len(photo)-12],
		"bad zlib":        fixCRCs(bytes.Replace(photo, []byte("IDAT"), []byte("IDAT\x00\x00"), 1)),
		"interrupted":     interrupted,
		"bad filter type": fixCRCs(pngSpec{w: 4, h: 4, depth: 8, colour: 0, raw: bytes.Repeat([]byte{5, 1, 2, 3, 4}, 4)}.bytes(r)),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) { agree(t, src, 0) })
	}
	for _, limit := range []int64{100, 0} {
		if !agree(t, photo, limit) {
			t.Errorf("limit %d: the fast path handed on an answer it has", limit)
		}
	}
}

func FuzzFastPath(f *testing.F) {
	r := rand.New(rand.NewPCG(9, 10))
	for i, s := range kinds() {
		if i%4 == 0 && s.w*s.h < 400 {
			f.Add(s.bytes(r))
		}
	}
	f.Add(testPhoto(f, "palette.png"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) == 0 {
			return
		}
		// As mutated, and with every chunk's CRC made right again, so
		// mutations reach what the chunks say.
		for _, b := range [][]byte{src, fixCRCs(src)} {
			agree(t, b, 1<<16)
		}
	})
}
