package icc

import "encoding/binary"

// maxChannels is the most input or output channels a lookup table may have
// (Little CMS's MAX_INPUT_DIMENSIONS).
const maxChannels = 15

// checkTag checks that a tag's data holds what its own fields say it holds,
// for the types whose fields size an allocation: curves and the lookup
// tables (lut8, lut16, lutAtoB, lutBtoA). t is the whole tag, type
// signature first.
func checkTag(t []byte) error {
	size := uint64(len(t))
	switch string(t[0:4]) {
	case "curv":
		if size < 12 {
			return invalid("curve is truncated")
		}
		if need := 12 + 2*uint64(binary.BigEndian.Uint32(t[8:12])); need > size {
			return invalid("curve of %d bytes claims %d", size, need)
		}
	case "mft1", "mft2":
		return checkLut(t)
	case "mAB ", "mBA ":
		return checkLutAB(t)
	}
	return nil
}

// checkLut checks a lut8 or lut16 table: input curves, a CLUT of grid^in
// entries of out samples, output curves.
func checkLut(t []byte) error {
	if len(t) < 52 {
		return invalid("lookup table header is truncated")
	}
	in, out, grid := uint64(t[8]), uint64(t[9]), uint64(t[10])
	if in == 0 || out == 0 || in > maxChannels || out > maxChannels {
		return invalid("lookup table has %d inputs and %d outputs", in, out)
	}
	size := uint64(len(t))
	entries, ok := gridEntries(repeat(grid, in), out, size)
	if !ok {
		return invalid("lookup table of %d bytes claims %d grid points per input", size, grid)
	}
	need := 48 + 256*in + entries + 256*out // lut8: 256-entry byte curves
	if string(t[0:4]) == "mft2" {
		nIn, nOut := uint64(binary.BigEndian.Uint16(t[48:50])), uint64(binary.BigEndian.Uint16(t[50:52]))
		need = 52 + 2*(nIn*in+entries+nOut*out)
	}
	if need > size {
		return invalid("lookup table of %d bytes claims %d", size, need)
	}
	return nil
}

// checkLutAB checks the CLUT of a lutAtoB or lutBtoA table, whose other
// elements are curves and a matrix at offsets the header gives.
func checkLutAB(t []byte) error {
	if len(t) < 32 {
		return invalid("lookup table header is truncated")
	}
	in, out := uint64(t[8]), uint64(t[9])
	if in == 0 || out == 0 || in > maxChannels || out > maxChannels {
		return invalid("lookup table has %d inputs and %d outputs", in, out)
	}
	size := uint64(len(t))
	for i := 12; i < 32; i += 4 {
		if off := uint64(binary.BigEndian.Uint32(t[i:])); off > size {
			return invalid("lookup table element at %d lies past its %d bytes", off, size)
		}
	}
	off := uint64(binary.BigEndian.Uint32(t[24:28]))
	if off == 0 {
		return nil // no CLUT
	}
	// The CLUT's input count is the table's in an AtoB table and its output
	// count in a BtoA one (the CLUT sits between the A and B curves).
	cin, cout := in, out
	if string(t[0:4]) == "mBA " {
		cin, cout = out, in
	}
	if off+20 > size {
		return invalid("lookup table CLUT header is truncated")
	}
	grid := make([]uint64, cin)
	for i := range grid {
		grid[i] = uint64(t[off+uint64(i)])
	}
	prec := uint64(t[off+16])
	if prec != 1 && prec != 2 {
		return invalid("CLUT precision %d", prec)
	}
	entries, ok := gridEntries(grid, cout*prec, size)
	if !ok || off+20+entries > size {
		return invalid("CLUT of grid %v does not fit its %d-byte table", grid, size)
	}
	return nil
}

// gridEntries is the product of the grid sizes times per, or false once it
// passes limit (so it cannot overflow) or a dimension has fewer than two
// points.
func gridEntries(grid []uint64, per, limit uint64) (uint64, bool) {
	n := per
	for _, g := range grid {
		if g < 2 {
			return 0, false
		}
		n *= g
		if n > limit {
			return 0, false
		}
	}
	return n, true
}

func repeat(v, n uint64) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = v
	}
	return s
}
