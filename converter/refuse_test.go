package converter

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net/http"
	"runtime"
	"testing"

	"imgcells/contract"
)

// patched returns a copy of b with the bytes at off replaced by p.
func patched(b []byte, off int, p ...byte) []byte {
	c := append([]byte(nil), b...)
	copy(c[off:], p)
	return c
}

// patchedIHDR patches a PNG's IHDR at off and fixes its CRC, as an
// attacker would: only a consistent header gets past the CRC check.
func patchedIHDR(b []byte, off int, p ...byte) []byte {
	c := patched(b, off, p...)
	binary.BigEndian.PutUint32(c[29:], crc32.ChecksumIEEE(c[12:29]))
	return c
}

// jpegSOF finds the offset of the first frame header's marker.
func jpegSOF(t *testing.T, b []byte) int {
	t.Helper()
	for i := 2; i+1 < len(b); {
		m := b[i+1]
		if m >= 0xC0 && m <= 0xC2 {
			return i
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	t.Fatal("no SOF in test JPEG")
	return 0
}

func TestConvertRefusals(t *testing.T) {
	jpg, png, gif, webp := photo(t, "photo.jpg"), photo(t, "photo.png"), photo(t, "photo.gif"), photo(t, "photo.webp")
	sof := jpegSOF(t, jpg)
	small := Limits{MaxSourceBytes: 1000, MaxSourcePixels: 50_000_000}
	cases := []struct {
		name   string
		src    []byte
		lim    Limits
		status int
	}{
		{"empty", nil, DefaultLimits(), http.StatusUnsupportedMediaType},
		{"text", []byte("hello, this is not an image\n"), DefaultLimits(), http.StatusUnsupportedMediaType},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`), DefaultLimits(), http.StatusUnsupportedMediaType},
		{"html", []byte("<!doctype html><title>x</title>"), DefaultLimits(), http.StatusUnsupportedMediaType},
		{"bmp", []byte("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"), DefaultLimits(), http.StatusUnsupportedMediaType},
		{"jpeg truncated in data", jpg[:len(jpg)/2], DefaultLimits(), http.StatusUnprocessableEntity},
		{"jpeg truncated in header", jpg[:sof+4], DefaultLimits(), http.StatusUnprocessableEntity},
		{"jpeg magic only", jpg[:3], DefaultLimits(), http.StatusUnprocessableEntity},
		{"png truncated in data", png[:len(png)/2], DefaultLimits(), http.StatusUnprocessableEntity},
		{"png truncated in header", png[:20], DefaultLimits(), http.StatusUnprocessableEntity},
		{"gif truncated", gif[:len(gif)/3], DefaultLimits(), http.StatusUnprocessableEntity},
		{"webp truncated", webp[:len(webp)/2], DefaultLimits(), http.StatusUnprocessableEntity},
		{"webp header only", webp[:16], DefaultLimits(), http.StatusUnprocessableEntity},
		// Header bombs: real headers patched to claim 60000×60000 (3.6 GP).
		{"jpeg header bomb", patched(jpg, sof+5, 0xEA, 0x60, 0xEA, 0x60), DefaultLimits(), http.StatusRequestEntityTooLarge},
		{"png header bomb", patchedIHDR(png, 16, 0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60), DefaultLimits(), http.StatusRequestEntityTooLarge},
		{"png header claims 4G wide", patchedIHDR(png, 16, 0xFF, 0xFF, 0xFF, 0xFF), DefaultLimits(), http.StatusRequestEntityTooLarge},
		{"png header damaged", patched(png, 16, 0, 0, 0xEA, 0x60), DefaultLimits(), http.StatusUnprocessableEntity},
		{"gif header bomb", patched(gif, 6, 0x60, 0xEA, 0x60, 0xEA), DefaultLimits(), http.StatusRequestEntityTooLarge},
		{"webp header bomb", patched(webp, 26, 0xFF, 0x3F, 0xFF, 0x3F), DefaultLimits(), http.StatusRequestEntityTooLarge},
		{"jpeg zero height", patched(jpg, sof+5, 0, 0), DefaultLimits(), http.StatusUnprocessableEntity},
		{"source bytes over the limit", jpg, small, http.StatusRequestEntityTooLarge},
		{"pixels over a small limit", jpg, Limits{MaxSourcePixels: 480*270 - 1}, http.StatusRequestEntityTooLarge},
	}
	v := mustVariant(t, "format=webp,quality=75,width=100")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := Convert(c.src, v, c.lim)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("converted to %dx%d %s, want refusal %d", res.Width, res.Height, res.Format, c.status)
			}
			var e *contract.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a typed *contract.Error", err)
			}
			if e.Status != c.status || e.Reason == "" {
				t.Fatalf("status %d %q, want %d with a reason", e.Status, e.Reason, c.status)
			}
			if c.status == http.StatusRequestEntityTooLarge {
				if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
					t.Errorf("refusing allocated %d bytes: the limit must hold before decoding", n)
				}
			}
		})
	}
}

func TestConvertRefusesInvalidVariant(t *testing.T) {
	for _, v := range []contract.Variant{{}, {Format: "bmp"}, {Format: contract.FormatWebP}, {Format: contract.FormatPNG, Width: 10, Fit: contract.FitCover}} {
		_, err := Convert(photo(t, "photo.jpg"), v, DefaultLimits())
		if status, _ := contract.StatusOf(err); status != http.StatusBadRequest {
			t.Errorf("%+v: status %d (%v), want 400", v, status, err)
		}
	}
}
