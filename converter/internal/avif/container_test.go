package avif

import (
	"bytes"
	"context"
	"slices"
	"testing"
)

// The file Encode writes, read back box by box: the structure AVIF and
// MIAF ask for, item data as AV1-ISOBMFF samples (no temporal delimiter,
// one sequence header), av1C equal to that sequence header, colour
// signalled in the bitstream and in colr alike.
func TestContainerReadsBack(t *testing.T) {
	pix, w, h := photo(t, "alpha.png", 4)
	out, err := Encode(context.Background(), pix, w, h, 4, Options{Quality: 60})
	if err != nil {
		t.Fatal(err)
	}
	r := readAVIF(t, out)
	if !hasBrands(r.brands, "avif", "mif1", "miaf") {
		t.Errorf("compatible brands %v", r.brands)
	}
	if r.primary != 1 || r.types[1] != "av01" || r.types[2] != "av01" || len(r.types) != 2 {
		t.Fatalf("primary %d, items %v", r.primary, r.types)
	}
	if r.auxlFrom[2] != 1 {
		t.Errorf("auxl references %v, want 2 → 1", r.auxlFrom)
	}
	for id, wantMono := range map[int]bool{1: false, 2: true} {
		data := r.data[id]
		types := obuTypes(t, data)
		if types[0] != obuSequenceHeader || slices.Contains(types[1:], obuSequenceHeader) ||
			slices.Contains(types, obuTemporalDelimiter) {
			t.Errorf("item %d OBU types %v: want one sequence header first and no temporal delimiter", id, types)
		}
		_, seq, err := itemData(data)
		if err != nil {
			t.Fatal(err)
		}
		if seq.mono != wantMono || !seq.fullRange || !seq.stillPicture || !seq.reducedStill ||
			seq.maxWidth != w || seq.maxHeight != h || seq.profile != 0 || seq.highBitdepth {
			t.Errorf("item %d sequence header %+v", id, seq)
		}
		av1c, essential := r.prop(t, id, "av1C")
		if !essential || !bytes.Equal(av1c, av1C(seq)[8:]) || av1c[0] != 0x81 {
			t.Errorf("item %d av1C % x (essential %v), sequence header says % x", id, av1c, essential, av1C(seq)[8:])
		}
		ispe, _ := r.prop(t, id, "ispe")
		if !bytes.Equal(ispe, append([]byte{0, 0, 0, 0}, append(u32(w), u32(h)...)...)) {
			t.Errorf("item %d ispe % x", id, ispe)
		}
		pixi, _ := r.prop(t, id, "pixi")
		wantPixi := []byte{0, 0, 0, 0, 3, 8, 8, 8}
		if wantMono {
			wantPixi = []byte{0, 0, 0, 0, 1, 8}
		}
		if !bytes.Equal(pixi, wantPixi) {
			t.Errorf("item %d pixi % x", id, pixi)
		}
	}
	_, seq, _ := itemData(r.data[1])
	if !seq.colourDescriptionPresent || seq.primaries != 1 || seq.transfer != 13 || seq.matrix != 6 {
		t.Errorf("colour sequence header CICP %d/%d/%d", seq.primaries, seq.transfer, seq.matrix)
	}
	nclx, _ := r.prop(t, 1, "colr")
	if want := []byte("nclx\x00\x01\x00\x0d\x00\x06\x80"); !bytes.Equal(nclx, want) {
		t.Errorf("colr % x, want % x (BT.709, sRGB, BT.601 matrix, full range)", nclx, want)
	}
	auxC, _ := r.prop(t, 2, "auxC")
	if want := append([]byte{0, 0, 0, 0}, alphaURN+"\x00"...); !bytes.Equal(auxC, want) {
		t.Errorf("auxC %q", auxC)
	}
}

// An opaque image has one item and no iref.
func TestContainerOpaque(t *testing.T) {
	pix, w, h := photo(t, "photo.jpg", 3)
	out, err := Encode(context.Background(), pix, w, h, 3, Options{Quality: 75})
	if err != nil {
		t.Fatal(err)
	}
	r := readAVIF(t, out)
	if len(r.types) != 1 || len(r.auxlFrom) != 0 || len(r.assoc) != 1 {
		t.Errorf("items %v, auxl %v, associations %v", r.types, r.auxlFrom, r.assoc)
	}
	if !hasBrands(r.brands, "MA1B") {
		t.Errorf("a %dx%d Main-profile image should claim the Baseline profile: %v", w, h, r.brands)
	}
}
