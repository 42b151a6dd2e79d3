package icc

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imgcells/converter/internal/icc/icctest"
)

func testProfile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "colour", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// raw lays out a profile with the tags (signature, data) in order.
func raw(class, space, pcs string, tags ...[2]string) []byte {
	var t []icctest.Tag
	for _, tag := range tags {
		t = append(t, icctest.Tag{Sig: tag[0], Data: []byte(tag[1])})
	}
	return icctest.Profile(class, space, pcs, t...)
}

// lut is an mft1 or mft2 tag with in inputs, 3 outputs, grid points a
// side and n bytes of table.
func lut(typ string, in, grid byte, n int) string {
	t := icctest.Lut16(in, grid, n)
	copy(t, typ)
	return string(t)
}

// lutAB is an mAB tag with its CLUT (grid points per input) at offset 32.
func lutAB(in, out byte, grid []byte, n int) string {
	t := []byte("mAB \x00\x00\x00\x00")
	t = append(t, in, out, 0, 0)
	t = binary.BigEndian.AppendUint32(t, 0)
	t = binary.BigEndian.AppendUint32(t, 0)
	t = binary.BigEndian.AppendUint32(t, 0)
	t = binary.BigEndian.AppendUint32(t, 32) // CLUT
	t = binary.BigEndian.AppendUint32(t, 0)
	g := make([]byte, 16)
	copy(g, grid)
	t = append(t, g...)
	t = append(t, 2, 0, 0, 0)
	return string(append(t, make([]byte, n)...))
}

// Real profiles pass: the ones the test images carry.
func TestCheckAcceptsRealProfiles(t *testing.T) {
	for name, space := range map[string]Space{
		"DisplayP3.icc": RGB, "sRGB-lcms.icc": RGB, "sRGB-colord.icc": RGB, "AdobeRGB1998.icc": RGB, "ProPhotoRGB.icc": RGB,
		"CMYK-synthetic.icc": CMYK, "Gray-gamma18.icc": Gray,
	} {
		p, err := Check(testProfile(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if p.Space != space {
			t.Errorf("%s: space %q, want %q", name, p.Space, space)
		}
	}
}

// Malformed and hostile profiles are refused before anything parses them
// further, each with a reason.
func TestCheckRefuses(t *testing.T) {
	p3 := testProfile(t, "DisplayP3.icc")
	patch := func(at int, v uint32) []byte {
		b := append([]byte(nil), p3...)
		binary.BigEndian.PutUint32(b[at:], v)
		return b
	}
	curv := "curv\x00\x00\x00\x00\x00\x00\xff\xff\x01\x00"
	for _, c := range []struct {
		name, reason string
		b            []byte
	}{
		{"empty", "shorter", nil},
		{"header only", "shorter", p3[:100]},
		{"truncated", "header says", p3[:400]},
		{"size field too small", "header says", patch(0, 64)},
		{"no signature", "acsp", patch(36, 0)},
		{"version 5", "version", patch(8, 0x05000000)},
		{"device link", "device class", patch(12, 0x6c696e6b)},
		{"Lab data", "colour space", patch(16, 0x4c616220)},
		{"bad connection space", "connection space", patch(20, 0x52474220)},
		{"2^28 tags", "tags do not fit", patch(128, 1<<28)},
		{"tag past the end", "outside", patch(132+4, 1<<30)},
		{"tag inside the tag table", "outside", patch(132+4, 128)},
		{"huge tag size", "outside", patch(132+8, 0xFFFFFFF0)},
		{"curve claims 65535 points", "curve", raw("mntr", "GRAY", "XYZ ", [2]string{"kTRC", curv})},
		{"lut16 bomb", "grid points", raw("scnr", "RGB ", "Lab ", [2]string{"A2B0", lut("mft2", 3, 255, 100)})},
		{"lut8 bomb", "grid points", raw("scnr", "RGB ", "Lab ", [2]string{"A2B0", lut("mft1", 3, 200, 100)})},
		{"lut16 short of its table", "claims", raw("scnr", "RGB ", "Lab ", [2]string{"A2B0", lut("mft2", 3, 9, 100)})},
		{"lut of 16 inputs", "inputs", raw("prtr", "CMYK", "Lab ", [2]string{"A2B0", lut("mft2", 16, 2, 100)})},
		{"lutAtoB bomb", "does not fit", raw("prtr", "CMYK", "Lab ", [2]string{"A2B0", lutAB(4, 3, []byte{255, 255, 255, 255}, 64)})},
		{"lutAtoB grid of 1", "does not fit", raw("scnr", "RGB ", "Lab ", [2]string{"A2B0", lutAB(3, 3, []byte{1, 2, 2}, 64)})},
		{"too large", "more than", make([]byte, MaxSize+1)},
	} {
		_, err := Check(c.b)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: %v, want ErrInvalid saying %q", c.name, err, c.reason)
		}
	}
	// A lookup table whose grid fits its bytes passes.
	ok := raw("scnr", "RGB ", "Lab ", [2]string{"A2B0", lut("mft2", 3, 3, 2*(2*3+27*3+2*3))})
	if _, err := Check(ok); err != nil {
		t.Errorf("a well-formed lut16: %v", err)
	}
}

// FuzzCheck: no input makes Check panic or return a profile whose tags
// lie outside it.
func FuzzCheck(f *testing.F) {
	for _, n := range []string{"DisplayP3.icc", "Gray-gamma18.icc"} {
		f.Add(testProfile(f, n))
	}
	f.Add(raw("scnr", "RGB ", "Lab ", [2]string{"A2B0", lut("mft2", 3, 3, 186)}))
	f.Add(raw("prtr", "CMYK", "Lab ", [2]string{"A2B0", lutAB(4, 3, []byte{2, 2, 2, 2}, 96)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Check(b)
		if err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(p.Data[128:]))
		for i := range n {
			e := p.Data[132+12*i:]
			off, sz := uint64(binary.BigEndian.Uint32(e[4:])), uint64(binary.BigEndian.Uint32(e[8:]))
			if off+sz > uint64(len(p.Data)) {
				t.Fatalf("accepted tag %d at %d+%d in %d bytes", i, off, sz, len(p.Data))
			}
		}
	})
}
