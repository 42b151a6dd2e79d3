package icc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
)

// Each reader finds the profile the test images were tagged with, byte for
// byte (testdata/colour/make.sh), and the JPEG reader the component count.
func TestReadersFindTheEmbeddedProfile(t *testing.T) {
	for _, c := range []struct {
		image, profile string
		comps          int
	}{
		{"adobergb.jpg", "AdobeRGB1998.icc", 3},
		{"displayp3.jpg", "DisplayP3.icc", 3},
		{"cmyk-profile.jpg", "CMYK-synthetic.icc", 4},
		{"gray-gamma18.jpg", "Gray-gamma18.icc", 1},
		{"prophoto.png", "ProPhotoRGB.icc", 0},
		{"displayp3.webp", "DisplayP3.icc", 0},
	} {
		src, want := testProfile(t, c.image), testProfile(t, c.profile)
		var got []byte
		var err error
		switch {
		case strings.HasSuffix(c.image, ".jpg"):
			var j JPEG
			j, err = FromJPEG(src)
			got = j.Profile
			if j.Components != c.comps {
				t.Errorf("%s: %d components, want %d", c.image, j.Components, c.comps)
			}
		case strings.HasSuffix(c.image, ".png"):
			var p PNG
			p, err = FromPNG(src)
			got = p.Profile
		default:
			got, err = FromWebP(src)
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes (%v), want the %d of %s", c.image, len(got), err, len(want), c.profile)
		}
	}
	for _, name := range []string{"photo.jpg", "photo.png", "photo.webp"} {
		src := testProfile(t, "../photos/"+name)
		j, _ := FromJPEG(src)
		p, _ := FromPNG(src)
		w, _ := FromWebP(src)
		if j.Profile != nil || p.Profile != nil || w != nil {
			t.Errorf("%s: a profile found in an untagged image", name)
		}
	}
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	body := append([]byte(typ), data...)
	c = append(c, body...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(body))
}

// An iCCP chunk is inflated only up to MaxSize: a zlib bomb (a few KB
// claiming far more) is refused, not inflated. Damaged chunks are skipped.
func TestPNGChunks(t *testing.T) {
	head := []byte("\x89PNG\r\n\x1a\n")
	head = append(head, pngChunk("IHDR", make([]byte, 13))...)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if _, err := zw.Write(make([]byte, MaxSize+100)); err != nil || zw.Close() != nil {
		t.Fatal("compressing")
	}
	bomb := append(append([]byte(nil), head...), pngChunk("iCCP", append([]byte("x\x00\x00"), z.Bytes()...))...)
	if _, err := FromPNG(bomb); err == nil || !strings.Contains(err.Error(), "inflates past") {
		t.Errorf("iCCP bomb of %d bytes: %v", z.Len(), err)
	}
	bad := pngChunk("gAMA", binary.BigEndian.AppendUint32(nil, 100000))
	bad[len(bad)-1] ^= 1
	chunks := append(append([]byte(nil), head...), bad...)
	chunks = append(chunks, pngChunk("sRGB", []byte{0})...)
	chunks = append(chunks, pngChunk("IDAT", nil)...)
	chunks = append(chunks, pngChunk("gAMA", binary.BigEndian.AppendUint32(nil, 100000))...) // after IDAT: ignored
	p, err := FromPNG(chunks)
	if err != nil || p.Gamma != 0 || !p.SRGB {
		t.Errorf("chunks: %+v, %v; want sRGB and no gamma (damaged, then after IDAT)", p, err)
	}
}

// A WebP that flags a profile it does not carry is an error; one with no
// flag has no profile.
func TestWebPFlag(t *testing.T) {
	src := testProfile(t, "displayp3.webp")
	noflag := append([]byte(nil), src...)
	noflag[20] &^= 0x20
	if p, err := FromWebP(noflag); p != nil || err != nil {
		t.Errorf("flag cleared: %d bytes, %v", len(p), err)
	}
	i := bytes.Index(src, []byte("ICCP"))
	renamed := append([]byte(nil), src...)
	copy(renamed[i:], "XXXX")
	if _, err := FromWebP(renamed); err == nil {
		t.Error("flagged without an ICCP chunk: accepted")
	}
}
