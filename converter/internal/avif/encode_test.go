package avif

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A context already done stops Encode before libaom starts.
func TestEncodeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Encode(ctx, make([]byte, 10*10*3), 10, 10, 3, Options{Quality: 50})
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "encoding 10x10 AVIF: ") {
		t.Fatalf("err = %v, want context.Canceled, saying what failed", err)
	}
}

func TestEncodeRefusesBadInput(t *testing.T) {
	for name, c := range map[string]struct {
		pix       []byte
		w, h, ch  int
		o         Options
		wantInErr string
	}{
		"two channels":   {make([]byte, 8), 2, 2, 2, Options{Quality: 50}, "2 channels"},
		"short pixels":   {make([]byte, 11), 2, 2, 3, Options{Quality: 50}, "11 bytes"},
		"empty":          {nil, 0, 0, 3, Options{Quality: 50}, "size"},
		"quality 0":      {make([]byte, 12), 2, 2, 3, Options{Quality: 0}, "quality 0"},
		"quality 101":    {make([]byte, 12), 2, 2, 3, Options{Quality: 101}, "quality 101"},
		"speed 10":       {make([]byte, 12), 2, 2, 3, Options{Quality: 50, Speed: 10}, "speed 10"},
		"negative speed": {make([]byte, 12), 2, 2, 3, Options{Quality: 50, Speed: -1}, "speed -1"},
	} {
		_, err := Encode(context.Background(), c.pix, c.w, c.h, c.ch, c.o)
		if err == nil || !strings.Contains(err.Error(), c.wantInErr) {
			t.Errorf("%s: err = %v, want one naming %q", name, err, c.wantInErr)
		}
	}
}

// Every quality and speed gives a file, and the quality scale is monotone:
// a higher quality never gives a smaller file of the same photo.
func TestQualityScale(t *testing.T) {
	pix, w, h := photo(t, "photo.jpg", 3)
	prev := 0
	for q := 1; q <= 100; q += 11 {
		out, err := Encode(context.Background(), pix, w, h, 3, Options{Quality: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) < prev {
			t.Errorf("quality %d: %d bytes, fewer than the quality below (%d)", q, len(out), prev)
		}
		prev = len(out)
	}
	for s := 1; s <= 9; s++ {
		if _, err := Encode(context.Background(), pix[:64*64*3], 64, 64, 3, Options{Quality: 60, Speed: s, Threads: 2}); err != nil {
			t.Errorf("speed %d: %v", s, err)
		}
	}
}

// The mapping hits its calibrated anchors at both speeds' tables, stays in
// libaom's lossy range (1-63) and never lowers quality as imgcells'
// quality rises.
func TestCQLevel(t *testing.T) {
	for _, c := range []struct {
		speed   int
		anchors []anchor
	}{{8, qualityAnchors[:]}, {DefaultSpeed, carefulAnchors[:]}} {
		for _, a := range c.anchors {
			if got := cqLevel(a.q, c.speed); got != a.cq {
				t.Errorf("speed %d: cqLevel(%d) = %d, want the anchor's %d", c.speed, a.q, got, a.cq)
			}
		}
		prev := 64
		for q := 1; q <= 100; q++ {
			cq := cqLevel(q, c.speed)
			if cq < 1 || cq > 63 || cq > prev {
				t.Fatalf("speed %d: cqLevel(%d) = %d after %d", c.speed, q, cq, prev)
			}
			prev = cq
		}
	}
}
