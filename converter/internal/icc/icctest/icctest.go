// Package icctest lays out ICC profiles byte by byte for tests and for the
// test-profile generator: well-formed ones, and ones whose fields lie.
package icctest

import "encoding/binary"

// Tag is one tag: its signature and its data, type signature first.
type Tag struct {
	Sig  string
	Data []byte
}

// Profile lays out a version 2.1 profile: a header of the given device
// class, colour space and connection space (D50 illuminant), the tag
// table in the order given, then each tag's data, 4-byte aligned.
func Profile(class, space, pcs string, tags ...Tag) []byte {
	b := make([]byte, 132+12*len(tags), 4096)
	binary.BigEndian.PutUint32(b[8:], 0x02100000)
	copy(b[12:], class)
	copy(b[16:], space)
	copy(b[20:], pcs)
	copy(b[36:], "acsp")
	copy(b[68:], D50XYZ()[8:])
	binary.BigEndian.PutUint32(b[128:], uint32(len(tags)))
	for i, t := range tags {
		e := b[132+12*i:]
		copy(e, t.Sig)
		binary.BigEndian.PutUint32(e[4:], uint32(len(b)))
		binary.BigEndian.PutUint32(e[8:], uint32(len(t.Data)))
		b = append(b, t.Data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	return b
}

// D50XYZ is an XYZ tag holding D50, the media white of every profile here.
func D50XYZ() []byte {
	return []byte("XYZ \x00\x00\x00\x00\x00\x00\xF6\xD6\x00\x01\x00\x00\x00\x00\xD3\x2D")
}

// Lut16 is the head of an 'mft2' tag (to a 3-channel connection space):
// in inputs, grid points a side, an identity matrix and 2-entry curves
// declared, followed by n zero bytes. With n short of the table it claims
// (grid^in × 3 values plus curves), it is a LUT bomb.
func Lut16(in, grid byte, n int) []byte {
	t := []byte("mft2\x00\x00\x00\x00")
	t = append(t, in, 3, grid, 0)
	for i := range 9 {
		v := uint32(0)
		if i%4 == 0 {
			v = 0x10000
		}
		t = binary.BigEndian.AppendUint32(t, v)
	}
	t = binary.BigEndian.AppendUint16(t, 2)
	t = binary.BigEndian.AppendUint16(t, 2)
	return append(t, make([]byte, n)...)
}
