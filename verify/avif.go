package verify

import (
	"encoding/binary"
	"errors"
)

// avifSize reads an AVIF's width and height from its first image spatial
// extents property (ispe), which is all the checks need of its pixels: the
// colour item's and the alpha item's extents are the same. It reports
// ok=false for anything that is not an AVIF (major brand avif).
func avifSize(b []byte) (w, h int, ok bool, err error) {
	if len(b) < 12 || string(b[4:8]) != "ftyp" || string(b[8:12]) != "avif" {
		return 0, 0, false, nil
	}
	errNoSize := errors.New("AVIF without meta/iprp/ipco/ispe")
	meta, found := findBox(b, "meta")
	if !found || len(meta) < 4 {
		return 0, 0, true, errNoSize
	}
	box := meta[4:] // meta is a full box: version and flags first
	for _, typ := range []string{"iprp", "ipco", "ispe"} {
		if box, found = findBox(box, typ); !found {
			return 0, 0, true, errNoSize
		}
	}
	if len(box) < 12 { // version and flags, width, height
		return 0, 0, true, errNoSize
	}
	return int(binary.BigEndian.Uint32(box[4:])), int(binary.BigEndian.Uint32(box[8:])), true, nil
}

// findBox returns the payload of the first ISOBMFF box of type typ among
// the boxes that b holds one after another.
func findBox(b []byte, typ string) ([]byte, bool) {
	for len(b) >= 8 {
		size, hdr := uint64(binary.BigEndian.Uint32(b)), uint64(8)
		switch size {
		case 0: // to the end
			size = uint64(len(b))
		case 1: // a 64-bit size follows the type
			if len(b) < 16 {
				return nil, false
			}
			size, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size < hdr || size > uint64(len(b)) {
			return nil, false
		}
		if string(b[4:8]) == typ {
			return b[hdr:size], true
		}
		b = b[size:]
	}
	return nil, false
}
