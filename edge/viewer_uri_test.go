package edge_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// viewerURI runs target and returns the rewritten URI and the header the
// function set for the origins.
func viewerURI(t *testing.T, r *cfrun.Runner, target string, h http.Header) (uri, header string) {
	t.Helper()
	res, err := r.Run(cfrun.NewEvent("GET", target, h))
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	uri = rewritten(t, res)
	v, ok := res.Request.Headers[contract.ViewerURIHeader]
	if !ok || len(v.MultiValue) > 1 {
		t.Fatalf("%s: header %s is %+v (set: %v)", target, contract.ViewerURIHeader, v, ok)
	}
	return uri, v.Value
}

// TestFunctionSetsTheOriginRequestHeaders: the headers the function adds to a
// rewritten request are exactly those the origin request policy forwards and
// the converter reads (contract.OriginRequestHeaders), so a header renamed in
// rewrite.js alone fails here.
func TestFunctionSetsTheOriginRequestHeaders(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	h := http.Header{}
	h.Set("Accept", "image/webp")
	h.Set("User-Agent", "test")
	for _, target := range []string{"/shoe.jpg", "/a/b c.png?width=300&format=png", "/x.jpg?sig=1&height=9"} {
		res, err := r.Run(cfrun.NewEvent("GET", target, h))
		if err != nil {
			t.Fatal(err)
		}
		rewritten(t, res)
		var added []string
		for name := range res.Request.Headers {
			if h.Get(name) == "" {
				added = append(added, name)
			}
		}
		slices.Sort(added)
		want := slices.Sorted(slices.Values(contract.OriginRequestHeaders()))
		if !slices.Equal(added, want) {
			t.Errorf("%s: the function adds %v, the origin request policy forwards %v", target, added, want)
		}
	}
}

// TestViewerURIAsSent: the header is the path and query as the viewer spelt
// them, not canonicalised and not encoded twice. cfrun presents query names
// in sorted order (CloudFront in the viewer's), so these targets list them
// sorted; TestViewerURIUnsortedQuery covers the other case.
func TestViewerURIAsSent(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	for _, c := range []struct{ target, want string }{
		{"/products/shoe.jpg?width=640", ""},
		{"/products/shoe.jpg", ""},
		{"/products/shoe.jpg?", "/products/shoe.jpg"},
		{"/summer%20sale/red%20shoe+laces%20100%25.jpg?format=webp&width=640", ""},
		{"/produits/chaussure-%c3%a9t%c3%a9/%E6%97%A5%E6%9C%AC.jpg?width=640", ""},
		{"/products/%73hoe.jpg?width=640", ""},
		{"/it's(1)!*~.jpg?fit=cover&height=400&width=600", ""},
		{"/shoe.jpg?q=%E5%AE%B6&width=%36%34%30", ""},
		{"/shoe.jpg?utm=a+b&width=640&width=1080", ""},    // every value of a repeated name
		{"/shoe.jpg?x=1&x=2&x=3", ""},                     // in order
		{"/shoe.jpg?blur=%zz&w=1", ""},                    // garbage passes as sent
		{"/shoe.jpg?v&width=64", "/shoe.jpg?v=&width=64"}, // a bare name has value ""
		// what a header cannot carry is percent-encoded as UTF-8
		{"/日本.jpg?width=64", "/%E6%97%A5%E6%9C%AC.jpg?width=64"},
		{"/shoe.jpg?note=a b&x=€", "/shoe.jpg?note=a%20b&x=%E2%82%AC"},
		{"/shoe😀.jpg", "/shoe%F0%9F%98%80.jpg"},
		// and so is \: a browser reads /\host in a Location as //host
		{`/\evil.example/x.jpg?a=\`, "/%5Cevil.example/x.jpg?a=%5C"},
	} {
		want := c.want
		if want == "" {
			want = c.target
		}
		if _, got := viewerURI(t, r, c.target, nil); got != want {
			t.Errorf("%s: header %q, want %q", c.target, got, want)
		}
	}
}

// TestViewerURIUnsortedQuery: whatever order the event lists names in, the
// header holds every name=value pair the viewer sent.
func TestViewerURIUnsortedQuery(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	target := "/shoe.jpg?width=640&format=png&utm_source=mail&width=1080&fit=cover&height=1"
	_, got := viewerURI(t, r, target, nil)
	pairs := func(s string) []string {
		path, q, _ := strings.Cut(s, "?")
		p := append([]string{path}, strings.Split(q, "&")...)
		slices.Sort(p)
		return p
	}
	if !slices.Equal(pairs(got), pairs(target)) {
		t.Errorf("header %q does not hold the pairs of %q", got, target)
	}
	if i, j := strings.Index(got, "width=640"), strings.Index(got, "width=1080"); i < 0 || j < i {
		t.Errorf("header %q: the values of width out of order", got)
	}
}

// TestViewerCannotChooseTheRedirect: a viewer's own header is replaced.
func TestViewerCannotChooseTheRedirect(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	h := http.Header{}
	h.Add(contract.ViewerURIHeader, "/elsewhere.jpg")
	h.Add(contract.ViewerURIHeader, "https://evil.example/")
	if _, got := viewerURI(t, r, "/shoe.jpg?width=64", h); got != "/shoe.jpg?width=64" {
		t.Errorf("header %q, want the viewer's URL", got)
	}
}

// TestViewerURIComesBackToTheSameKey: following the 302 (requesting the
// header's value, with the same Accept) yields the same key, and a signed URL
// still verifies; for odd keys, parameter sets and browsers.
func TestViewerURIComesBackToTheSameKey(t *testing.T) {
	cfg := edge.DefaultConfig()
	cfg.Signing = true
	kvs := map[string]string{edge.KeyCurrent: "k1", edge.KeyPrevious: "k0"}
	r := runner(t, cfg, kvs, fixedClock())
	exp := time.Unix(now+60, 0)
	n := 0
	for _, key := range []string{"products/shoe.jpg", "summer sale/red shoe+laces 100%.jpg", "produits/chaussure-été/日本.jpg", "it's(1)!*.jpg", "a&b=c?.jpg"} {
		for _, q := range []url.Values{nil, {"width": {"641"}, "quality": {"55"}}, {"format": {"png"}, "height": {"5000"}},
			{"fit": {"cover"}, "width": {"600"}, "height": {"400"}, "format": {"jpg"}}, {"width": {"100"}, "height": {"10000"}}} {
			for _, target := range []string{edge.SignURL(kvs[edge.KeyCurrent], key, q, exp), edge.SignURL(kvs[edge.KeyPrevious], key, q, time.Time{})} {
				for _, b := range browsers {
					h := http.Header{"Accept": {b.accept}}
					uri, header := viewerURI(t, r, target, h)
					if header != target {
						t.Errorf("%s: header %q, want the signed URL as sent", target, header)
					}
					again, header2 := viewerURI(t, r, header, h)
					if again != uri || header2 != header {
						t.Errorf("%s: following the 302 gives %s (%s), first %s (%s)", target, again, header2, uri, header)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d signed requests come back to their key", n)
}
