package edge_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"imgcells/contract"
	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// variantHeader runs target and returns the rewritten URI and the variant
// header the function set for the origins.
func variantHeader(t *testing.T, r *cfrun.Runner, target string, h http.Header) (uri, header string) {
	t.Helper()
	res, err := r.Run(cfrun.NewEvent("GET", target, h))
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	uri = rewritten(t, res)
	v, ok := res.Request.Headers[contract.VariantHeader]
	if !ok || len(v.MultiValue) > 1 {
		t.Fatalf("%s: header %s is %+v (set: %v)", target, contract.VariantHeader, v, ok)
	}
	return uri, v.Value
}

// TestVariantHeaderIsTheRewrittenURI: the header is the rewritten URI byte
// for byte, and decoding it once gives back the original key whole, "?" and
// "#" included, which API Gateway's decoded rawPath would cut.
func TestVariantHeaderIsTheRewrittenURI(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	for _, c := range []struct{ target, key string }{
		{"/products/shoe.jpg?width=640", "products/shoe.jpg"},
		{"/summer%3Fsale.jpg?width=640&format=webp", "summer?sale.jpg"},
		{"/tag%23blue/shoe.jpg?width=300", "tag#blue/shoe.jpg"},
		{"/a%3Fb%23c%2520.jpg", "a?b#c%20.jpg"},
		{"/caf%C3%A9/%E6%97%A5%E6%9C%AC.jpg?width=64", "café/日本.jpg"},
	} {
		uri, got := variantHeader(t, r, c.target, http.Header{"Accept": {"image/webp"}})
		if got != uri {
			t.Errorf("%s: header %q, rewritten URI %q", c.target, got, uri)
			continue
		}
		path, err := url.PathUnescape(got)
		if err != nil {
			t.Errorf("%s: header %q does not decode: %v", c.target, got, err)
			continue
		}
		key, v, err := contract.ParseKey(path)
		if err != nil || key != c.key {
			t.Errorf("%s: header %q parses to key %q (%v), want %q", c.target, got, key, err, c.key)
			continue
		}
		if want := "/" + contract.VariantKey(key, v); path != want {
			t.Errorf("%s: header decodes to %q, not canonical %q", c.target, path, want)
		}
	}
}

// TestViewerCannotChooseTheVariant: a viewer's own copies of the header are
// replaced by the rewritten URI.
func TestViewerCannotChooseTheVariant(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	h := http.Header{"Accept": {"image/webp"}}
	h.Add(contract.VariantHeader, "/secret.jpg/format=png")
	h.Add(contract.VariantHeader, "/other.jpg/format=webp,quality=75")
	uri, got := variantHeader(t, r, "/shoe.jpg?width=64", h)
	if got != uri || got != "/shoe.jpg/format=webp,quality=75,width=64" {
		t.Errorf("header %q, rewritten URI %q", got, uri)
	}
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
