package libpng

import (
	"context"
	"errors"
	"os"
	"testing"
)

func testPhoto(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../../testdata/photos/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeKinds(t *testing.T) {
	cases := []struct {
		file       string
		w, h, comp int
	}{
		{"photo.png", 480, 270, 3},
		{"palette.png", 240, 135, 3},
		{"alpha.png", 240, 135, 4},
	}
	for _, c := range cases {
		img, err := Decode(context.Background(), testPhoto(t, c.file), 0, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if img.Width != c.w || img.Height != c.h || img.Components != c.comp || len(img.Pix) != c.w*c.h*c.comp {
			t.Errorf("%s: %dx%dx%d, want %dx%dx%d", c.file, img.Width, img.Height, img.Components, c.w, c.h, c.comp)
		}
	}
	// The alpha test photo is a disc: transparent corner, opaque centre.
	a, _ := Decode(context.Background(), testPhoto(t, "alpha.png"), 0, nil)
	if a.Pix[3] != 0 || a.Pix[(67*240+120)*4+3] != 255 {
		t.Errorf("alpha: corner %d, centre %d; want 0 and 255", a.Pix[3], a.Pix[(67*240+120)*4+3])
	}
}

func TestDecodeRefuses(t *testing.T) {
	src := testPhoto(t, "photo.png")
	for name, b := range map[string][]byte{"truncated": src[:len(src)/2], "header": src[:30]} {
		if _, err := Decode(context.Background(), b, 0, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v, want ErrCorrupt", name, err)
		}
	}
	if _, err := Decode(context.Background(), src, 1000, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("over the pixel bound: %v", err)
	}
}
