package edge_test

import (
	"testing"

	"imgcells/edge"
)

// Accept headers that browsers send for <img> requests.
var browsers = []struct {
	name, accept string
	webp, avif   bool
}{
	{"Chrome 131", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", true, true},
	{"Edge 131", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", true, true},
	{"Firefox 133", "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5", true, true},
	{"Safari 18", "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5", true, true},
	{"Safari 13 (no WebP)", "image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5", false, false},
	{"IE 11", "image/png, image/svg+xml, image/jxr, image/*;q=0.8, */*;q=0.5", false, false},
	{"curl", "*/*", false, false},
	{"no Accept header", "", false, false},
	{"webp refused with q=0", "image/webp;q=0,image/*", false, false},
	{"webp refused with q=0.000", "image/webp; q=0.000, */*", false, false},
	{"upper case and spaces", "IMAGE/WEBP ; Q=0.9", true, false},
	{"avif only", "image/avif", false, true},
}

func TestFormatFollowsAccept(t *testing.T) {
	plain := runner(t, edge.DefaultConfig(), nil)
	cfg := edge.DefaultConfig()
	cfg.AVIF = true
	withAVIF := runner(t, cfg, nil)
	for _, b := range browsers {
		t.Run(b.name, func(t *testing.T) {
			want := "/products/shoe.jpg/format=jpeg,quality=75,width=640"
			if b.webp {
				want = "/products/shoe.jpg/format=webp,quality=75,width=640"
			}
			if got := rewritten(t, run(t, plain, "GET", "/products/shoe.jpg?width=640", b.accept)); got != want {
				t.Errorf("AVIF off: got %s, want %s", got, want)
			}
			if b.avif {
				want = "/products/shoe.jpg/format=avif,quality=75,width=640"
			}
			if got := rewritten(t, run(t, withAVIF, "GET", "/products/shoe.jpg?width=640", b.accept)); got != want {
				t.Errorf("AVIF on: got %s, want %s", got, want)
			}
		})
	}
}

func TestExplicitFormatWins(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	chrome := browsers[0].accept
	for _, c := range []struct{ query, accept, want string }{
		{"format=jpeg", chrome, "format=jpeg,quality=75"},
		{"format=jpg", chrome, "format=jpeg,quality=75"},
		{"format=JPEG", chrome, "format=jpeg,quality=75"},
		{"format=png", chrome, "format=png"},
		{"format=png&quality=90", chrome, "format=png"},
		{"format=webp", "*/*", "format=webp,quality=75"},
		{"format=auto", chrome, "format=webp,quality=75"},
		{"format=auto", "*/*", "format=jpeg,quality=75"},
		{"format=avif", chrome, "format=webp,quality=75"}, // AVIF off: negotiated instead
		{"format=gif", "*/*", "format=jpeg,quality=75"},   // garbage: negotiated
	} {
		got := rewritten(t, run(t, r, "GET", "/a.png?"+c.query, c.accept))
		if want := "/a.png/" + c.want; got != want {
			t.Errorf("?%s with Accept %q: got %s, want %s", c.query, c.accept, got, want)
		}
	}
}
