package edge_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"imgcells/edge"
	"imgcells/edge/cfrun"
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

// TestAcceptIsBounded: Accept is read as one list over repeated lines
// (CloudFront's multiValue), up to its first 512 characters (cut at a comma,
// so no type is read half) and 20 types; what lies past that is ignored.
func TestAcceptIsBounded(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	filler := func(n int) string { return strings.Repeat("text/html,", n/10) }
	for _, c := range []struct {
		name   string
		accept []string
		want   string
	}{
		{"webp on the second line", []string{"image/png", "image/webp"}, "webp"},
		{"webp on the tenth line", append(slices.Repeat([]string{"text/html"}, 9), "image/webp"), "webp"},
		{"webp refused on the second line", []string{"image/webp", "image/webp;q=0"}, "webp"}, // any line with q>0 admits it
		{"webp as the 20th type", []string{filler(190) + "image/webp"}, "webp"},
		{"webp as the 21st type", []string{filler(200) + "image/webp"}, "jpeg"},
		{"webp ending at character 512", []string{strings.Repeat("a", 501) + ",image/webp"}, "webp"},
		{"webp cut at character 512", []string{strings.Repeat("a", 502) + ",image/webp"}, "jpeg"},
		{"image/webpx cut to image/webp", []string{strings.Repeat("a", 501) + ",image/webpx"}, "jpeg"},
		{"webp past 512 characters of lines", []string{strings.Repeat("a", 300), strings.Repeat("b", 300), "image/webp"}, "jpeg"},
		{"20 KB on one line, webp last", []string{strings.Repeat("x/y;q=0.5,", 2000) + "image/webp"}, "jpeg"},
		{"20 KB on one line, webp first", []string{"image/webp," + strings.Repeat("x/y;q=0.5,", 2000)}, "webp"},
	} {
		h := http.Header{"Accept": c.accept}
		res, err := r.Run(cfrun.NewEvent("GET", "/a.jpg", h))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got, want := rewritten(t, res), "/a.jpg/format="+c.want+",quality=75"; got != want {
			t.Errorf("%s: got %s, want %s", c.name, got, want)
		}
	}
}
