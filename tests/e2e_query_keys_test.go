package tests

import (
	"bytes"
	"context"
	"testing"
)

// Keys containing "?" or "#" are converted on a miss and served. API
// Gateway (which the local stack simulates) hands the converter the path
// decoded and cut at the first "?" (and "#"), so the key reaches it only
// through the edge's variant header.
func TestE2EKeysWithQuestionMarkAndHash(t *testing.T) {
	s := startStack(t, nil)
	ctx := context.Background()
	photo := readPhoto(t, "photo.jpg")
	want := decodeConfig(t, photo)
	// what a cut path would name, were it ever read
	for _, decoy := range []string{"summer", "tag"} {
		if err := s.Upload(ctx, decoy, readPhoto(t, "photo.png")); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ key, target string }{
		{"summer?sale.jpg", "/summer%3Fsale.jpg"},
		{"tag#blue/shoe?.jpg", "/tag%23blue/shoe%3f.jpg"},
	} {
		t.Run(c.key, func(t *testing.T) {
			if err := s.Upload(ctx, c.key, photo); err != nil {
				t.Fatal(err)
			}
			first := s.get(c.target+"?width=200", "", acceptChrome)
			got := mustImage(t, first, s.browserType())
			if first.origin() != "converter" {
				t.Errorf("first request served by %q, want the converter", first.origin())
			}
			if w := s.snap(200); got.Width != w || abs(got.Height*want.Width-want.Height*w) > want.Width {
				t.Errorf("delivered %d×%d from a %d×%d original, want width %d", got.Width, got.Height, want.Width, want.Height, w)
			}
			keys := s.transformedKeys(ctx, s.PrimaryRegion(), c.key)
			if k := s.key(c.key, s.browserFormat(), 200); len(keys) != 1 || keys[0] != k {
				t.Errorf("stored %q, want [%q]", keys, k)
			}
			again := s.get(c.target+"?width=200", "", acceptChrome)
			if again.cache() != "Hit from cloudfront" || !bytes.Equal(again.Body, first.Body) {
				t.Errorf("second request: X-Cache %q, same body %v", again.cache(), bytes.Equal(again.Body, first.Body))
			}
		})
	}
	for _, decoy := range []string{"summer", "tag"} {
		if keys := s.transformedKeys(ctx, s.PrimaryRegion(), decoy); len(keys) != 0 {
			t.Errorf("variants of the cut key %q stored: %q", decoy, keys)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
