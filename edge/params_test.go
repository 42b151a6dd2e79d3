package edge_test

import (
	"strconv"
	"strings"
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
		// the shape snaps to the nearest configured ratio: 4:1 and wider are 21:9
		{"width=644&height=161", "format=webp,quality=75,width=750,height=321"}, // 321.4 rounds down
		{"width=1000&height=1", "format=webp,quality=75,width=1080,height=463"},
		{"width=999999999&height=1", "format=webp,quality=75,width=3840,height=1646"},
		{"width=5000&height=100", "format=webp,quality=75,width=3840,height=1646"},
		// and 1:100 is 9:16, the tallest
		{"width=100&height=10000&fit=cover", "format=webp,quality=75,width=128,height=228,fit=cover"},
		{"width=1&height=999999999", "format=webp,quality=75,width=16,height=28"},
		{"width=250&height=297", "format=webp,quality=75,width=256,height=320"}, // 0.842 is 4:5, not 1:1 or 3:4
		// a height past the largest breakpoint clamps there; the width follows
		{"width=3000&height=4000", "format=webp,quality=75,width=2880,height=3840"},
		{"width=3000&height=6000&fit=cover", "format=webp,quality=75,width=2160,height=3840,fit=cover"},
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
	ratios := []edge.AspectRatio{{W: 1, H: 1}, {W: 3, H: 2}}
	r := runner(t, edge.Config{Widths: []int{100, 200}, AspectRatios: ratios, Qualities: []int{40, 85}, DefaultQuality: 85}, nil)
	for _, c := range []struct{ query, want string }{
		{"", "format=jpeg,quality=85"},
		{"width=50&quality=10", "format=jpeg,quality=40,width=100"},
		{"width=150&height=5000&quality=70", "format=jpeg,quality=85,width=200,height=200"},
		{"width=150&height=20&quality=70", "format=jpeg,quality=85,width=200,height=133"},
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

// TestLongQueriesPass: the query is not bounded as a whole: any number of
// values and characters (tracking parameters) pass, and only the allow-listed
// names are read. A value longer than edge.MaxValueLength characters as sent
// is ignored as if absent, even when a later value of the name is short (the
// first value is the one read).
func TestLongQueriesPass(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	params := func(n int, name func(int) string) string {
		var q []string
		for i := range n {
			q = append(q, name(i)+"=1")
		}
		return strings.Join(q, "&")
	}
	distinct := func(i int) string { return "p" + strconv.Itoa(i) }
	same := func(int) string { return "utm" }
	tracking := "utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale&gclid=Cj0KCQjw" + strings.Repeat("x", 90) +
		"&fbclid=IwAR" + strings.Repeat("y", 60)
	over := strings.Repeat("6", edge.MaxValueLength+1)
	const w640, w750, none = "format=jpeg,quality=75,width=640", "format=jpeg,quality=75,width=750", "format=jpeg,quality=75"
	for _, c := range []struct{ name, query, want string }{
		// once refused: more than 50 values or 1,024 characters
		{"50 distinct", params(49, distinct) + "&width=640", w640},
		{"51 distinct", params(50, distinct) + "&width=641", w750},
		{"1,000 distinct", params(1000, distinct) + "&width=641", w750},
		{"50 of one name", params(49, same) + "&width=640", w640},
		{"51 of one name", params(50, same) + "&width=641", w750},
		{"1,000 of one name", params(1000, same) + "&width=641", w750},
		{"1025 characters", "width=640&x=" + strings.Repeat("a", 1016), w640},
		{"1025 characters in repeats", "width=640&x=" + strings.Repeat("a", 500) + "&x=" + strings.Repeat("a", 515), w640},
		{"8 KB of one unknown value", "width=641&x=" + strings.Repeat("a", 8000), w750},
		{"tracking parameters", tracking + "&width=641&" + tracking, w750},
		// over the bound: ignored, never refused
		{"a width over the bound", "width=" + over, none},
		{"a width over the bound, then a short one", "width=" + over + "&width=640", none},
		{"a short width, then one over the bound", "width=640&width=" + over, w640},
		{"8 KB of + in a width", "width=" + strings.Repeat("+", 8000) + "640", none},
		{"formats over the bound", "format=" + strings.Repeat("+", 300) + "&width=" + strings.Repeat("+", 300) + "640", none},
		{"a fit over the bound", "fit=cover" + strings.Repeat("%20", 100) + "&width=640&height=640", "format=jpeg,quality=75,width=640,height=640"},
		{"a width written in %XX", "width=%36%34%30", w640},
	} {
		res := run(t, r, "GET", "/a.jpg?"+c.query, "")
		if res.Response != nil {
			t.Errorf("%s: refused %d %q", c.name, res.Response.StatusCode, res.Response.Body)
			continue
		}
		if got := res.Request.URI; got != "/a.jpg/"+c.want {
			t.Errorf("%s: got %s, want /a.jpg/%s", c.name, got, c.want)
		}
	}
}
