package avif

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// The container: a HEIF (ISO/IEC 23008-12) file as the AVIF specification
// and MIAF constrain it. One primary AV1 image item (ID 1) and, with alpha,
// an auxiliary AV1 image item (ID 2) that references it with 'auxl'. Both
// payloads live in one mdat after the meta box.
//
//	ftyp  major 'avif', compatible avif mif1 miaf (+ MA1B when both items
//	      are AV1 Main profile at level 5.1 or lower)
//	meta  hdlr 'pict', pitm, iloc, iinf (infe v2 'av01'), iref 'auxl',
//	      iprp: ipco (av1C, ispe, pixi, colr nclx; alpha: av1C, pixi, auxC)
//	      and ipma (av1C marked essential, as AVIF 2.2.1 asks)
//	mdat  colour item data, alpha item data
//
// av1C carries only its four fixed bytes: AVIF 2.2.1 says sequence header
// OBUs should not be in it (they are in the item data, exactly once).

// alphaURN is the aux_type of an alpha plane (MIAF, AVIF 4.1).
const alphaURN = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"

// Colour signalling: sRGB as CICP code points (ITU-T H.273).
const (
	cicpPrimariesBT709 = 1
	cicpTransferSRGB   = 13
	cicpMatrixBT601    = 6
)

// item is one coded AV1 image.
type item struct {
	data []byte // AV1 Image Item Data: OBUs, no temporal delimiter
	seq  seqHeader
}

// mux writes the AVIF file for a w×h colour image and, when alpha is not
// nil, its alpha plane. matrix and fullRange are what the colour planes
// were made with; the nclx colr box repeats them.
func mux(w, h int, colour item, alpha *item, matrix int, fullRange bool) []byte {
	brands := []string{"avif", "mif1", "miaf"}
	if baseline(colour.seq) && (alpha == nil || baseline(alpha.seq)) {
		brands = append(brands, "MA1B")
	}
	ftyp := box("ftyp", []byte("avif"), u32(0), []byte(strings.Join(brands, "")))

	items := []item{colour}
	if alpha != nil {
		items = append(items, *alpha)
	}
	// The meta box's size does not depend on the offsets it holds (iloc
	// uses 4-byte fields), so build it once to learn where mdat starts.
	meta := metaBox(w, h, items, matrix, fullRange, 0)
	dataStart := len(ftyp) + len(meta) + 8 // after mdat's own header
	meta = metaBox(w, h, items, matrix, fullRange, dataStart)

	var payload []byte
	for _, it := range items {
		payload = append(payload, it.data...)
	}
	out := make([]byte, 0, dataStart+len(payload))
	out = append(out, ftyp...)
	out = append(out, meta...)
	return append(out, box("mdat", payload)...)
}

// baseline says whether a coded image fits the AVIF Baseline profile
// (MA1B): AV1 Main profile, level 5.1 (seq_level_idx 13) or lower.
func baseline(s seqHeader) bool { return s.profile == 0 && s.level <= 13 }

func metaBox(w, h int, items []item, matrix int, fullRange bool, dataStart int) []byte {
	hdlr := fullBox("hdlr", 0, u32(0), []byte("pict"), u32(0), u32(0), u32(0), []byte{0})
	pitm := fullBox("pitm", 0, u16(1))

	// iloc v0: offset_size 4, length_size 4, base_offset_size 0.
	iloc := []byte{0x44, 0x00}
	iloc = append(iloc, u16(len(items))...)
	off := dataStart
	for i, it := range items {
		iloc = append(iloc, u16(i+1)...)
		iloc = append(iloc, u16(0)...) // data_reference_index: this file
		iloc = append(iloc, u16(1)...) // one extent
		iloc = append(iloc, u32(off)...)
		iloc = append(iloc, u32(len(it.data))...)
		off += len(it.data)
	}

	infe := []byte(nil)
	names := []string{"Color", "Alpha"}
	for i := range items {
		infe = append(infe, fullBox("infe", 2, u16(i+1), u16(0), []byte("av01"), []byte(names[i]+"\x00"))...)
	}
	iinf := fullBox("iinf", 0, u16(len(items)), infe)

	// Properties, 1-based in ipma.
	props := [][]byte{
		av1C(items[0].seq),                     // 1
		fullBox("ispe", 0, u32(w), u32(h)),     // 2 (both items)
		fullBox("pixi", 0, []byte{3, 8, 8, 8}), // 3
		colr(matrix, fullRange),                // 4
	}
	assoc := [][]byte{{0x80 | 1, 2, 3, 4}}
	var iref []byte
	if len(items) == 2 {
		props = append(props,
			av1C(items[1].seq),                          // 5
			fullBox("pixi", 0, []byte{1, 8}),            // 6
			fullBox("auxC", 0, []byte(alphaURN+"\x00")), // 7
		)
		assoc = append(assoc, []byte{0x80 | 5, 2, 6, 7})
		iref = fullBox("iref", 0, box("auxl", u16(2), u16(1), u16(1)))
	}
	ipma := u32(len(assoc))
	for i, a := range assoc {
		ipma = append(ipma, u16(i+1)...)
		ipma = append(ipma, byte(len(a)))
		ipma = append(ipma, a...)
	}
	iprp := box("iprp", box("ipco", props...), fullBox("ipma", 0, ipma))
	return fullBox("meta", 0, hdlr, pitm, fullBox("iloc", 0, iloc), iinf, iref, iprp)
}

// av1C is the AV1CodecConfigurationRecord's four fixed bytes
// (AV1-ISOBMFF 2.3.3) filled from the sequence header.
func av1C(s seqHeader) []byte {
	b2 := byte(s.tier<<7) | bit(s.highBitdepth)<<6 | bit(s.twelveBit)<<5 | bit(s.mono)<<4 |
		bit(s.subX)<<3 | bit(s.subY)<<2 | byte(s.chromaSamplePosition&3)
	return box("av1C", []byte{0x81, byte(s.profile<<5 | s.level&0x1F), b2, 0})
}

// colr is an nclx colour information box: BT.709 primaries, the sRGB
// transfer function, the given matrix and range.
func colr(matrix int, fullRange bool) []byte {
	return box("colr", []byte("nclx"), u16(cicpPrimariesBT709), u16(cicpTransferSRGB), u16(matrix),
		[]byte{bit(fullRange) << 7})
}

func box(typ string, parts ...[]byte) []byte {
	if len(typ) != 4 {
		panic(fmt.Sprintf("box type %q", typ))
	}
	n := 8
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, u32(n)...)
	b = append(b, typ...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// fullBox is a box with a version and no flags (none of ours sets any).
func fullBox(typ string, version byte, parts ...[]byte) []byte {
	return box(typ, append([][]byte{{version, 0, 0, 0}}, parts...)...)
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

func bit(b bool) byte {
	if b {
		return 1
	}
	return 0
}
