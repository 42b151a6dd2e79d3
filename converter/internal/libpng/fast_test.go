package libpng

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"testing"
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

// withChunk inserts an ancillary chunk right after IHDR.
func withChunk(src []byte, typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(append(c, typ...), data...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	at := 8 + 8 + 13 + 4
	return append(append(append([]byte{}, src[:at]...), c...), src[at:]...)
}

// The libdeflate path gives exactly libpng's pixels.
func TestFastPathMatchesLibpng(t *testing.T) {
	cases := map[string][]byte{
		"photo.png (RGB)":       testPhoto(t, "photo.png"),
		"alpha.png (RGBA)":      testPhoto(t, "alpha.png"),
		"RGB, all filters":      goEncoded(t, "photo.png"),
		"RGBA, all filters":     goEncoded(t, "alpha.png"),
		"with a text chunk":     withChunk(testPhoto(t, "photo.png"), "tEXt", []byte("Comment\x00hello")),
		"with a suggested PLTE": withChunk(testPhoto(t, "photo.png"), "PLTE", []byte{1, 2, 3}),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			fast, ok := decodeFast(src, 0, mk)
			if !ok {
				t.Fatal("fast path declined a plain 8-bit photo")
			}
			slow, err := decodeLibpng(context.Background(), src, 0, mk)
			if err != nil {
				t.Fatal(err)
			}
			if fast.Width != slow.Width || fast.Height != slow.Height || fast.Components != slow.Components || !bytes.Equal(fast.Pix, slow.Pix) {
				t.Fatalf("fast %dx%dx%d differs from libpng %dx%dx%d", fast.Width, fast.Height, fast.Components, slow.Width, slow.Height, slow.Components)
			}
		})
	}
}

// Anything the fast path does not fully understand goes to libpng.
func TestFastPathDeclines(t *testing.T) {
	photo := testPhoto(t, "photo.png")
	var gray bytes.Buffer
	if err := png.Encode(&gray, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"palette":        testPhoto(t, "palette.png"),
		"16-bit":         testPhoto(t, "photo16.png"),
		"grayscale":      gray.Bytes(),
		"gamma":          withChunk(photo, "gAMA", []byte{0, 0, 0x27, 0x10}),
		"transparency":   withChunk(photo, "tRNS", []byte{0, 0, 0, 0, 0, 0}),
		"truncated":      photo[:len(photo)/2],
		"no IEND":        photo[:len(photo)-12],
		"bad zlib":       bytes.Replace(photo, []byte("IDAT"), []byte("IDAT\x00\x00"), 1),
		"over the limit": photo,
	}
	for name, src := range cases {
		limit := int64(0)
		if name == "over the limit" {
			limit = 100
		}
		if _, ok := decodeFast(src, limit, mk); ok {
			t.Errorf("%s: fast path accepted it", name)
		}
	}
}
