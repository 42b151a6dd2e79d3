package icc

import (
	"encoding/binary"
	"errors"
)

// ErrNoImage is returned by the readers when the file is not the format
// asked for or is damaged before its colour data; the decoder reports that
// damage, so callers treat it as "no profile".
var ErrNoImage = errors.New("not an image of this format")

// JPEG is what a JPEG's headers say about its colour.
type JPEG struct {
	Profile    []byte // the reassembled ICC profile, nil without one
	Components int    // 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK
}

var iccTag = []byte("ICC_PROFILE\x00")

// FromJPEG reads the markers up to the first scan: APP2 ICC_PROFILE chunks
// (ICC.1 annex B.4: each carries its 1-based sequence number and the chunk
// count; they are joined in sequence order) and the frame header's
// component count. A set of chunks that disagree on the count, repeat or
// miss a number, or would join past MaxSize is an error: such a profile is
// not used.
func FromJPEG(src []byte) (JPEG, error) {
	var j JPEG
	var chunks [][]byte
	count, total := 0, 0
	if len(src) < 4 || src[0] != 0xFF || src[1] != 0xD8 {
		return j, ErrNoImage
	}
	for i := 2; ; {
		for i < len(src) && src[i] == 0xFF {
			i++
		}
		if i >= len(src) || src[i-1] != 0xFF {
			return j, ErrNoImage
		}
		m := src[i]
		i++
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			continue
		}
		if m == 0xD9 || m == 0xDA || i+2 > len(src) {
			break // the scan: every marker that matters came before it
		}
		n := int(binary.BigEndian.Uint16(src[i:]))
		if n < 2 || i+n > len(src) {
			return j, ErrNoImage
		}
		seg := src[i+2 : i+n]
		switch {
		case m == 0xE2 && len(seg) >= 14 && string(seg[:12]) == string(iccTag):
			seq, cnt := int(seg[12]), int(seg[13])
			if cnt == 0 || seq == 0 || seq > cnt || (count != 0 && cnt != count) {
				return j, invalid("ICC_PROFILE chunk %d of %d in a set of %d", seq, cnt, count)
			}
			if count == 0 {
				count, chunks = cnt, make([][]byte, cnt)
			}
			if chunks[seq-1] != nil {
				return j, invalid("ICC_PROFILE chunk %d appears twice", seq)
			}
			chunks[seq-1] = seg[14:]
			if total += len(seg) - 14; total > MaxSize {
				return j, invalid("ICC_PROFILE chunks pass %d bytes", MaxSize)
			}
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && len(seg) >= 6:
			j.Components = int(seg[5])
		}
		i += n
	}
	if count == 0 {
		return j, nil
	}
	j.Profile = make([]byte, 0, total)
	for k, c := range chunks {
		if c == nil {
			return JPEG{Components: j.Components}, invalid("ICC_PROFILE chunk %d of %d is missing", k+1, count)
		}
		j.Profile = append(j.Profile, c...)
	}
	return j, nil
}
