package hostile

import (
	"encoding/binary"
	"errors"
)

// RepeatScan returns the JPEG with one of its scans (SOS segment and its
// entropy-coded data: which counts from 0, -1 is the last) repeated n more
// times right after itself.
func RepeatScan(src []byte, which, n int) ([]byte, error) {
	scans, err := scanSpans(src)
	if err != nil {
		return nil, err
	}
	if which < 0 {
		which += len(scans)
	}
	if which < 0 || which >= len(scans) {
		return nil, errors.New("hostile: no such scan")
	}
	s := scans[which]
	scan := src[s[0]:s[1]]
	out := make([]byte, 0, len(src)+n*len(scan))
	out = append(out, src[:s[1]]...)
	for range n {
		out = append(out, scan...)
	}
	return append(out, src[s[1]:]...), nil
}

// DropScans returns the JPEG without its last n scans: a well-formed file
// (it ends with an EOI marker) whose progressive refinement stops early.
func DropScans(src []byte, n int) ([]byte, error) {
	scans, err := scanSpans(src)
	if err != nil {
		return nil, err
	}
	if n < 1 || n >= len(scans) {
		return nil, errors.New("hostile: no such scans to drop")
	}
	cut := scans[len(scans)-n][0]
	out := append([]byte(nil), src[:cut]...)
	return append(out, 0xFF, 0xD9), nil
}

// scanSpans finds the start (SOS marker) and end (the marker after its
// entropy-coded data) of each scan.
func scanSpans(src []byte) ([][2]int, error) {
	var scans [][2]int // start and end of each scan
	for i := 2; i+4 <= len(src); {
		if src[i] != 0xFF {
			return nil, errors.New("hostile: marker expected")
		}
		m := src[i+1]
		if m == 0xD9 {
			break
		}
		if m == 0xFF || m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			i += 2
			continue
		}
		seg := i + 2 + int(binary.BigEndian.Uint16(src[i+2:]))
		if m != 0xDA {
			i = seg
			continue
		}
		// Entropy-coded data runs to the next marker that is neither a
		// stuffed zero nor a restart marker.
		j := seg
		for j+1 < len(src) && (src[j] != 0xFF || src[j+1] == 0 || (src[j+1] >= 0xD0 && src[j+1] <= 0xD7)) {
			j++
		}
		scans = append(scans, [2]int{i, j})
		i = j
	}
	if len(scans) == 0 {
		return nil, errors.New("hostile: the JPEG has no scan")
	}
	return scans, nil
}
