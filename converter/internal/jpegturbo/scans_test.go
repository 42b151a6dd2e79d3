package jpegturbo

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// withRepeatedScan returns the progressive JPEG with its last scan (SOS
// segment and entropy-coded data) repeated n extra times before EOI.
func withRepeatedScan(t *testing.T, src []byte, n int) []byte {
	t.Helper()
	last := -1
	for i := 2; i+4 <= len(src); {
		if src[i] != 0xFF {
			t.Fatalf("marker expected at %d", i)
		}
		m := src[i+1]
		if m == 0xD9 {
			break
		}
		seg := i + 2 + int(binary.BigEndian.Uint16(src[i+2:]))
		if m != 0xDA {
			i = seg
			continue
		}
		last = i
		// Entropy-coded data runs to the next marker that is neither a
		// stuffed zero nor a restart marker.
		j := seg
		for j+1 < len(src) && (src[j] != 0xFF || src[j+1] == 0 || (src[j+1] >= 0xD0 && src[j+1] <= 0xD7)) {
			j++
		}
		i = j
	}
	eoi := len(src) - 2
	if last < 0 || src[eoi] != 0xFF || src[eoi+1] != 0xD9 {
		t.Fatal("test JPEG has no scan or no EOI")
	}
	scan := src[last:eoi]
	out := append([]byte{}, src[:eoi]...)
	for range n {
		out = append(out, scan...)
	}
	return append(out, 0xFF, 0xD9)
}

func TestDecodeRefusesScanFloods(t *testing.T) {
	src := testPhoto(t, "progressive.jpg")
	// A few repeated refinement scans are only a warning for libjpeg.
	if _, err := Decode(withRepeatedScan(t, src, 20), 1, nil); err != nil {
		t.Fatalf("20 extra scans: %v", err)
	}
	_, err := Decode(withRepeatedScan(t, src, 1000), 1, nil)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "scans") {
		t.Fatalf("1000 extra scans: error %v, want a refusal naming the scan count", err)
	}
}
