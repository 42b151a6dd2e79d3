package edge_test

import (
	"testing"

	"imgcells/edge"
)

// TestParameterNormalisation: allow-list, snapping, clamping and dropping,
// under DefaultConfig (widths 16…3840, qualities 25 50 60 75 80 90 100).
func TestParameterNormalisation(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	const webp = "image/webp"
	for _, c := range []struct{ query, want string }{
		{"", "format=webp,quality=75"},
		{"width=640", "format=webp,quality=75,width=640"},
		{"width=641", "format=webp,quality=75,width=750"},
		{"width=1", "format=webp,quality=75,width=16"},
		{"width=3841", "format=webp,quality=75,width=3840"},
		{"width=999999999", "format=webp,quality=75,width=3840"},
		{"width=0640", "format=webp,quality=75,width=640"},
		{"height=100", "format=webp,quality=75,height=128"},
		{"width=300&height=200", "format=webp,quality=75,width=384,height=256"},
		{"height=200&width=300", "format=webp,quality=75,width=384,height=256"},
		{"quality=75", "format=webp,quality=75"},
		{"quality=1", "format=webp,quality=25"},
		{"quality=70", "format=webp,quality=75"},
		{"quality=55", "format=webp,quality=60"}, // tie between 50 and 60 goes up
		{"quality=95", "format=webp,quality=100"},
		{"quality=100", "format=webp,quality=100"},
		{"fit=cover&width=640&height=640", "format=webp,quality=75,width=640,height=640,fit=cover"},
		// both given: the width snaps up, the height keeps the asked shape
		{"fit=COVER&width=600&height=400", "format=webp,quality=75,width=640,height=427,fit=cover"},
		{"width=600&height=400", "format=webp,quality=75,width=640,height=427"},
		{"fit=inside&width=600&height=400", "format=webp,quality=75,width=640,height=427"},
		{"width=640&height=480&fit=cover", "format=webp,quality=75,width=640,height=480,fit=cover"},
		{"width=644&height=161", "format=webp,quality=75,width=750,height=188"}, // 187.5 rounds up
		{"width=1000&height=1", "format=webp,quality=75,width=1080,height=1"},
		{"width=999999999&height=1", "format=webp,quality=75,width=3840,height=1"}, // at least 1
		{"width=5000&height=100", "format=webp,quality=75,width=3840,height=77"},
		// a height past the largest breakpoint clamps there; the width follows
		{"width=100&height=10000&fit=cover", "format=webp,quality=75,width=38,height=3840,fit=cover"},
		{"width=1&height=999999999", "format=webp,quality=75,width=1,height=3840"},
		{"width=3000&height=4000", "format=webp,quality=75,width=2880,height=3840"},
		{"fit=cover&width=640", "format=webp,quality=75,width=640"},
		{"fit=inside&width=640&height=640", "format=webp,quality=75,width=640,height=640"},
		{"fit=contain&width=640&height=640", "format=webp,quality=75,width=640,height=640"},
		// garbage is dropped, never passed on
		{"width=0", "format=webp,quality=75"},
		{"width=-5", "format=webp,quality=75"},
		{"width=+5", "format=webp,quality=75"},
		{"width=64O", "format=webp,quality=75"},
		{"width=1e3", "format=webp,quality=75"},
		{"width=640.5", "format=webp,quality=75"},
		{"width=", "format=webp,quality=75"},
		{"width", "format=webp,quality=75"},
		{"width=%36%34%30", "format=webp,quality=75,width=640"},
		{"width=%zz", "format=webp,quality=75"},
		{"quality=0", "format=webp,quality=75"},
		{"quality=101", "format=webp,quality=75"},
		{"quality=high", "format=webp,quality=75"},
		{"Width=640", "format=webp,quality=75"},
		{"blur=5&w=640&utm_source=mail&sig=abc", "format=webp,quality=75"},
		{"width=640&width=1080", "format=webp,quality=75,width=640"}, // first value counts
	} {
		got := rewritten(t, run(t, r, "GET", "/shoe.jpg?"+c.query, webp))
		if want := "/shoe.jpg/" + c.want; got != want {
			t.Errorf("?%s: got %s, want %s", c.query, got, want)
		}
	}
}

// TestConfiguredLadders: the rendered configuration is what the code uses.
func TestConfiguredLadders(t *testing.T) {
	r := runner(t, edge.Config{Widths: []int{100, 200}, Qualities: []int{40, 85}, DefaultQuality: 85}, nil)
	for _, c := range []struct{ query, want string }{
		{"", "format=jpeg,quality=85"},
		{"width=50&quality=10", "format=jpeg,quality=40,width=100"},
		{"width=150&height=5000&quality=70", "format=jpeg,quality=85,width=6,height=200"},
		{"width=150&height=100", "format=jpeg,quality=85,width=200,height=133"},
		{"height=150", "format=jpeg,quality=85,height=200"},
	} {
		got := rewritten(t, run(t, r, "GET", "/x.jpg?"+c.query, ""))
		if want := "/x.jpg/" + c.want; got != want {
			t.Errorf("?%s: got %s, want %s", c.query, got, want)
		}
	}
}

// TestQueryStringCleared: the URI alone is the cache key.
func TestQueryStringCleared(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	res := run(t, r, "GET", "/shoe.jpg?width=640&utm=1", "")
	if res.Request == nil || len(res.Request.Querystring) != 0 {
		t.Fatalf("querystring not cleared: %+v", res.Request)
	}
}
