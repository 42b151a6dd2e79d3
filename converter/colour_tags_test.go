package converter

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/draw"
	"strings"
	"testing"

	"imgcells/converter/internal/icc"
	"imgcells/converter/internal/lcms"
)

// withICC returns the JPEG with the profile inserted after SOI as APP2
// ICC_PROFILE chunks of at most size bytes, written in the given order of
// sequence numbers (nil: in order); count overrides the chunk count field
// when non-zero.
func withICC(jpeg, profile []byte, size int, order []int, count int) []byte {
	var chunks [][]byte
	for len(profile) > 0 {
		n := min(size, len(profile))
		chunks = append(chunks, profile[:n])
		profile = profile[n:]
	}
	if order == nil {
		for i := range chunks {
			order = append(order, i)
		}
	}
	if count == 0 {
		count = len(chunks)
	}
	out := append([]byte(nil), jpeg[:2]...)
	for _, i := range order {
		seg := append([]byte("ICC_PROFILE\x00"), byte(i+1), byte(count))
		seg = append(seg, chunks[i]...)
		out = append(out, 0xFF, 0xE2)
		out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
		out = append(out, seg...)
	}
	return append(out, jpeg[2:]...)
}

// withPNGChunks inserts chunks (type, data) after IHDR.
func withPNGChunks(png []byte, chunks ...[2][]byte) []byte {
	out := append([]byte(nil), png[:33]...)
	for _, c := range chunks {
		out = binary.BigEndian.AppendUint32(out, uint32(len(c[1])))
		body := append(append([]byte(nil), c[0]...), c[1]...)
		out = append(out, body...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(body))
	}
	return append(out, png[33:]...)
}

func convertPNG(t *testing.T, src []byte) (*Result, image.Image) {
	t.Helper()
	res, err := Convert(src, mustVariant(t, "format=png"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return res, decodeOutput(t, res)
}

// An sRGB-tagged image skips the transform: its pixels come out exactly as
// the untagged image's. A profile split into chunks written out of order
// is joined in sequence order.
func TestSRGBTaggedSkipsTransform(t *testing.T) {
	src := photo(t, "photo.jpg")
	_, plain := convertPNG(t, src)
	srgb := colourFile(t, "sRGB-lcms.icc")
	res, tagged := convertPNG(t, withICC(src, srgb, 100, []int{3, 0, 5, 1, 4, 2}, 0))
	if res.Colour != colourSRGB {
		t.Errorf("colour note %q, want %q", res.Colour, colourSRGB)
	}
	if !bytes.Equal(plain.(*image.RGBA).Pix, tagged.(*image.RGBA).Pix) {
		t.Error("the sRGB-tagged image's pixels differ from the untagged one's")
	}
	// colord's sRGB: version 4, 20 KB of other tags, the same colours.
	res, tagged = convertPNG(t, withICC(src, colourFile(t, "sRGB-colord.icc"), 60000, nil, 0))
	if res.Colour != colourSRGB || !bytes.Equal(plain.(*image.RGBA).Pix, tagged.(*image.RGBA).Pix) {
		t.Errorf("colord's sRGB profile: note %q, pixels equal %v", res.Colour, bytes.Equal(plain.(*image.RGBA).Pix, tagged.(*image.RGBA).Pix))
	}
	// The same chunks joined in the wrong order would not parse as sRGB:
	// reordering is what made it work.
	p3 := colourFile(t, "DisplayP3.icc")
	res, _ = convertPNG(t, withICC(src, p3, 100, []int{5, 4, 3, 2, 1, 0}, 0))
	if res.Colour != colourICC {
		t.Errorf("P3 profile in reversed chunks: colour note %q, want %q", res.Colour, colourICC)
	}
}

// A malformed or hostile profile is ignored: the image converts as if
// untagged, and the log line's note says why. Never a 5xx or a crash.
func TestBadProfilesAreIgnored(t *testing.T) {
	src := photo(t, "photo.jpg")
	_, plain := convertPNG(t, src)
	p3 := colourFile(t, "DisplayP3.icc")
	bomb := append([]byte(nil), p3...)
	// Make the first tag a lut16 claiming 255 grid points in its 3 inputs.
	off := binary.BigEndian.Uint32(bomb[132+4:])
	copy(bomb[off:], "mft2\x00\x00\x00\x00\x03\x03\xff\x00")
	huge := append(append([]byte(nil), p3...), make([]byte, 5<<20)...)
	binary.BigEndian.PutUint32(huge[0:], uint32(len(huge)))
	for _, c := range []struct {
		name, reason string
		src          []byte
	}{
		{"truncated", "header says", withICC(src, p3[:300], 100, nil, 0)},
		{"chunk missing", "missing", withICC(src, p3, 100, []int{0, 1, 2, 4, 5}, 0)},
		{"counts disagree", "in a set of", withICC(withICC(src, p3[:200], 100, nil, 0), p3[200:], 100, nil, 3)},
		{"chunk twice", "twice", withICC(src, p3, 300, []int{0, 1, 1}, 0)},
		{"LUT bomb", "grid", withICC(src, bomb, 60000, nil, 0)},
		{"over 4 MiB", "pass 4194304 bytes", withICC(src, huge, 65000, nil, 0)},
		{"CMYK profile on RGB", "profile on a", withICC(src, colourFile(t, "CMYK-synthetic.icc"), 65000, nil, 0)},
	} {
		res, got := convertPNG(t, c.src)
		if !strings.HasPrefix(res.Colour, colourIgnored) || !strings.Contains(res.Colour, c.reason) {
			t.Errorf("%s: colour note %q, want it ignored saying %q", c.name, res.Colour, c.reason)
		}
		if !bytes.Equal(plain.(*image.RGBA).Pix, got.(*image.RGBA).Pix) {
			t.Errorf("%s: pixels differ from the untagged image's", c.name)
		}
	}
}

// A CMYK JPEG without a profile is converted as before (Adobe inverted,
// as browsers do), and the note says so.
func TestCMYKWithoutProfileIsNoted(t *testing.T) {
	res, _ := convertPNG(t, photo(t, "cmyk.jpg"))
	if res.Colour != colourNaive {
		t.Errorf("colour note %q, want %q", res.Colour, colourNaive)
	}
}

// A PNG's cHRM and gAMA chunks (without iCCP) are a profile too: the same
// pixels tagged with the equivalent ICC profile come out the same, and an
// iCCP profile overrides a gAMA beside it (applied once, not twice). An
// sRGB chunk leaves the pixels alone. Linear gamma makes a double
// conversion plain to see.
func TestPNGChunksDescribeColour(t *testing.T) {
	src := photo(t, "photo.png")
	p3g22, err := lcms.RGBProfile([2]float64{0.3127, 0.3290}, [2]float64{0.68, 0.32}, [2]float64{0.265, 0.69}, [2]float64{0.15, 0.06}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(p3g22); err != nil || zw.Close() != nil {
		t.Fatal("compressing the profile")
	}
	iccp := append([]byte("P3\x00\x00"), z.Bytes()...)
	chrm := make([]byte, 0, 32)
	for _, v := range []uint32{31270, 32900, 68000, 32000, 26500, 69000, 15000, 6000} {
		chrm = binary.BigEndian.AppendUint32(chrm, v)
	}
	gama := binary.BigEndian.AppendUint32(nil, 100000)

	resICC, viaICC := convertPNG(t, withPNGChunks(src, [2][]byte{[]byte("iCCP"), iccp}))
	_, withGamma := convertPNG(t, withPNGChunks(src, [2][]byte{[]byte("gAMA"), gama}, [2][]byte{[]byte("iCCP"), iccp}))
	if mean, worst := imageDeltaE(viaICC, withGamma); worst > 0.5 {
		t.Errorf("a gAMA beside iCCP changed the result: ΔE2000 mean %.3f, max %.3f", mean, worst)
	}
	resChunks, viaChunks := convertPNG(t, withPNGChunks(src, [2][]byte{[]byte("gAMA"), gama}, [2][]byte{[]byte("cHRM"), chrm}))
	if resICC.Colour != colourICC || resChunks.Colour != colourPNG {
		t.Errorf("colour notes %q and %q, want %q and %q", resICC.Colour, resChunks.Colour, colourICC, colourPNG)
	}
	if mean, worst := imageDeltaE(viaICC, viaChunks); worst > 0.5 {
		t.Errorf("cHRM/gAMA and the equivalent iCCP differ: ΔE2000 mean %.3f, max %.3f", mean, worst)
	}
	_, plain := convertPNG(t, src)
	if mean, _ := imageDeltaE(plain, viaChunks); mean < 0.5 {
		t.Errorf("P3 chunks changed the image by only ΔE %.3f: not applied", mean)
	}
	res, got := convertPNG(t, withPNGChunks(src, [2][]byte{[]byte("sRGB"), {0}}, [2][]byte{[]byte("cHRM"), chrm}))
	if res.Colour != colourSRGB || !bytes.Equal(toNRGBA(plain).Pix, toNRGBA(got).Pix) {
		t.Errorf("sRGB chunk: note %q, pixels equal %v; want %q and equal", res.Colour, bytes.Equal(toNRGBA(plain).Pix, toNRGBA(got).Pix), colourSRGB)
	}
}

func toNRGBA(m image.Image) *image.NRGBA {
	b := m.Bounds()
	out := image.NewNRGBA(b)
	draw.Draw(out, b, m, b.Min, draw.Src)
	return out
}

// A large image is converted in parts, one per core: the result is the one
// a single pass gives.
func TestColourInPartsMatchesOnePass(t *testing.T) {
	const w, h = 1200, 700 // above colourGrain: split across the cores there are
	r := newRaster(w, h, 4)
	for i := range r.pix {
		r.pix[i] = byte(i*13 + i/w)
	}
	whole := append([]byte(nil), r.pix...)
	p3 := colourFile(t, "DisplayP3.icc")
	tr, err := lcms.Lookup(p3, lcms.RGBA)
	if err != nil {
		t.Fatal(err)
	}
	tr.Apply(whole, whole, w*h)
	tr.Release()
	cs := colourSource{profile: p3, space: icc.RGB}
	if note := cs.toSRGB(r); note != colourICC || !bytes.Equal(r.pix, whole) {
		t.Errorf("note %q; parts equal one pass: %v", note, bytes.Equal(r.pix, whole))
	}
}
