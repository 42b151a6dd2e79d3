package converter

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// tiffOrientationBlock is a big-endian TIFF block holding only Orientation.
func tiffOrientationBlock(o int) []byte {
	return []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, 0, 0, 0, 0}
}

// pngWithEXIF inserts an eXIf chunk (with a valid CRC) after IHDR.
func pngWithEXIF(png []byte, o int) []byte {
	data := tiffOrientationBlock(o)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "eXIf"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	at := 8 + 8 + 13 + 4 // signature, IHDR header, data, CRC
	out := append([]byte{}, png[:at]...)
	out = append(out, chunk...)
	return append(out, png[at:]...)
}

// webpWithEXIF wraps a simple lossy WebP (one VP8 chunk) in the extended
// format with an EXIF chunk.
func webpWithEXIF(t *testing.T, webp []byte, o int) []byte {
	t.Helper()
	s, err := readHeader(kindWebP, webp)
	if err != nil || string(webp[12:16]) != "VP8 " {
		t.Fatalf("test WebP is not simple lossy: %v", err)
	}
	w, h := s.w, s.h
	vp8x := []byte("VP8X")
	vp8x = binary.LittleEndian.AppendUint32(vp8x, 10)
	vp8x = append(vp8x, 0x08, 0, 0, 0) // EXIF present
	vp8x = append(vp8x, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	exif := tiffOrientationBlock(o)
	ex := binary.LittleEndian.AppendUint32([]byte("EXIF"), uint32(len(exif)))
	ex = append(ex, exif...)
	body := append(append(append([]byte("WEBP"), vp8x...), webp[12:]...), ex...)
	out := binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body)))
	return append(out, body...)
}

func TestOrientationFromPNGAndWebP(t *testing.T) {
	cases := map[string][]byte{
		"png eXIf":  pngWithEXIF(photo(t, "photo.png"), 6),
		"webp EXIF": webpWithEXIF(t, photo(t, "photo.webp"), 8),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Convert(src, mustVariant(t, "format=png,width=135"), DefaultLimits())
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			// 480×270 stored, turned a quarter: 270×480 shown, 135 wide.
			if res.Width != 135 || res.Height != 240 {
				t.Fatalf("size %dx%d, want 135x240 (turned upright)", res.Width, res.Height)
			}
		})
	}
}

// No metadata reaches the output: the EXIF block of the source (here its
// orientation, in real photos also GPS position and camera serials) is gone.
func TestConvertStripsMetadata(t *testing.T) {
	src := withEXIFOrientation(photo(t, "photo.jpg"), 3)
	for _, ops := range []string{"format=jpeg,quality=80,width=100", "format=webp,quality=80,width=100", "format=png,width=100"} {
		res, err := Convert(src, mustVariant(t, ops), DefaultLimits())
		if err != nil {
			t.Fatalf("%s: %v", ops, err)
		}
		for _, marker := range [][]byte{[]byte("Exif"), []byte("MM\x00\x2a"), []byte("EXIF"), []byte("eXIf")} {
			if bytes.Contains(res.Data, marker) {
				t.Errorf("%s: output contains %q", ops, marker)
			}
		}
	}
}
