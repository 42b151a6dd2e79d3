package avif

import (
	"encoding/binary"
	"slices"
	"testing"
)

// A minimal ISOBMFF reader, written from ISO/IEC 14496-12 and 23008-12
// independently of container.go, reads back what Encode wrote.

type rbox struct {
	typ  string
	body []byte // after the header (and, for full boxes, not yet split)
	off  int    // the body's offset in the file
}

func parseBoxes(t *testing.T, b []byte, base int) []rbox {
	t.Helper()
	var out []rbox
	for p := 0; p < len(b); {
		if len(b)-p < 8 {
			t.Fatalf("trailing %d bytes at %d", len(b)-p, base+p)
		}
		n := int(binary.BigEndian.Uint32(b[p:]))
		if n < 8 || p+n > len(b) {
			t.Fatalf("box %q at %d: size %d overruns %d", b[p+4:p+8], base+p, n, len(b)-p)
		}
		out = append(out, rbox{typ: string(b[p+4 : p+8]), body: b[p+8 : p+n], off: base + p + 8})
		p += n
	}
	return out
}

func find(t *testing.T, boxes []rbox, typ string) rbox {
	t.Helper()
	var got []rbox
	for _, x := range boxes {
		if x.typ == typ {
			got = append(got, x)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d %q boxes, want 1", len(got), typ)
	}
	return got[0]
}

// full splits a full box's version and flags off its body.
func full(b rbox) (version int, flags uint32, rest []byte, off int) {
	return int(b.body[0]), binary.BigEndian.Uint32(b.body[0:4]) & 0xFFFFFF, b.body[4:], b.off + 4
}

type readFile struct {
	brands   []string
	primary  int
	types    map[int]string
	data     map[int][]byte
	props    []rbox
	assoc    map[int][]int // 1-based property indices, negative when essential
	auxlFrom map[int]int   // from → to
}

func readAVIF(t *testing.T, f []byte) readFile {
	t.Helper()
	top := parseBoxes(t, f, 0)
	if len(top) != 3 || top[0].typ != "ftyp" || top[1].typ != "meta" || top[2].typ != "mdat" {
		t.Fatalf("top-level boxes %v, want ftyp meta mdat", top)
	}
	var r readFile
	ftyp := top[0].body
	if string(ftyp[:4]) != "avif" {
		t.Errorf("major brand %q", ftyp[:4])
	}
	for i := 8; i+4 <= len(ftyp); i += 4 {
		r.brands = append(r.brands, string(ftyp[i:i+4]))
	}
	v, _, metaBody, metaOff := full(top[1])
	if v != 0 {
		t.Errorf("meta version %d", v)
	}
	meta := parseBoxes(t, metaBody, metaOff)
	_, _, hdlr, _ := full(find(t, meta, "hdlr"))
	if string(hdlr[4:8]) != "pict" {
		t.Errorf("handler %q, want pict", hdlr[4:8])
	}
	_, _, pitm, _ := full(find(t, meta, "pitm"))
	r.primary = int(binary.BigEndian.Uint16(pitm))

	_, _, iinf, iinfOff := full(find(t, meta, "iinf"))
	r.types = map[int]string{}
	for _, e := range parseBoxes(t, iinf[2:], iinfOff+2) {
		ver, _, infe, _ := full(e)
		if e.typ != "infe" || ver != 2 {
			t.Fatalf("iinf holds %q v%d", e.typ, ver)
		}
		r.types[int(binary.BigEndian.Uint16(infe))] = string(infe[4:8])
	}
	if n := int(binary.BigEndian.Uint16(iinf)); n != len(r.types) {
		t.Errorf("iinf counts %d entries, holds %d", n, len(r.types))
	}

	r.data = ilocData(t, find(t, meta, "iloc"), f)

	iprp := parseBoxes(t, find(t, meta, "iprp").body, find(t, meta, "iprp").off)
	r.props = parseBoxes(t, find(t, iprp, "ipco").body, find(t, iprp, "ipco").off)
	_, flags, ipma, _ := full(find(t, iprp, "ipma"))
	if flags&1 != 0 {
		t.Fatal("ipma with 15-bit indices: not what the writer uses")
	}
	r.assoc = map[int][]int{}
	p := 4
	for range binary.BigEndian.Uint32(ipma) {
		id, n := int(binary.BigEndian.Uint16(ipma[p:])), int(ipma[p+2])
		p += 3
		for _, a := range ipma[p : p+n] {
			idx := int(a & 0x7F)
			if a&0x80 != 0 {
				idx = -idx
			}
			r.assoc[id] = append(r.assoc[id], idx)
		}
		p += n
	}

	r.auxlFrom = map[int]int{}
	for _, x := range meta {
		if x.typ != "iref" {
			continue
		}
		_, _, body, off := full(x)
		for _, ref := range parseBoxes(t, body, off) {
			from, n := int(binary.BigEndian.Uint16(ref.body)), int(binary.BigEndian.Uint16(ref.body[2:]))
			if ref.typ != "auxl" || n != 1 {
				t.Fatalf("iref %q with %d references", ref.typ, n)
			}
			r.auxlFrom[from] = int(binary.BigEndian.Uint16(ref.body[4:]))
		}
	}
	return r
}

// ilocData returns each item's bytes, checking the extents lie in the file.
func ilocData(t *testing.T, b rbox, f []byte) map[int][]byte {
	t.Helper()
	v, _, body, _ := full(b)
	if v != 0 {
		t.Fatalf("iloc version %d", v)
	}
	offSize, lenSize, baseSize := int(body[0]>>4), int(body[0]&15), int(body[1]>>4)
	readN := func(p, n int) int {
		x := 0
		for i := range n {
			x = x<<8 | int(body[p+i])
		}
		return x
	}
	out := map[int][]byte{}
	p := 4
	for range binary.BigEndian.Uint16(body[2:]) {
		id := int(binary.BigEndian.Uint16(body[p:]))
		p += 4 // item_ID, data_reference_index
		base := readN(p, baseSize)
		p += baseSize
		var data []byte
		for range binary.BigEndian.Uint16(body[p:]) {
			p += 2
			o, n := base+readN(p, offSize), readN(p+offSize, lenSize)
			p += offSize + lenSize
			if o+n > len(f) {
				t.Fatalf("item %d extent %d+%d beyond the file's %d bytes", id, o, n, len(f))
			}
			data = append(data, f[o:o+n]...)
		}
		out[id] = data
	}
	return out
}

// prop returns item id's property of type typ and whether it is essential.
func (r readFile) prop(t *testing.T, id int, typ string) ([]byte, bool) {
	t.Helper()
	for _, idx := range r.assoc[id] {
		essential := idx < 0
		if essential {
			idx = -idx
		}
		if p := r.props[idx-1]; p.typ == typ {
			return p.body, essential
		}
	}
	t.Fatalf("item %d has no %q property", id, typ)
	return nil, false
}

// obuTypes lists the OBU types of item data, which must carry size fields.
func obuTypes(t *testing.T, d []byte) []int {
	t.Helper()
	var types []int
	for p := 0; p < len(d); {
		h := d[p]
		if h&obuHasSizeField == 0 {
			t.Fatalf("OBU at %d has no size field", p)
		}
		n := 1 + int(h>>2&1)
		size, k, err := leb128(d[p+n:])
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, int(h>>3&15))
		p += n + k + int(size)
	}
	return types
}

func hasBrands(got []string, want ...string) bool {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}
