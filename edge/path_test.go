package edge_test

import (
	"net/http"
	"strings"
	"testing"

	"imgcells/contract"
	"imgcells/edge"
)

// TestOddKeys: every spelling of a key maps to one canonical, strictly
// percent-encoded path that decodes to the key the converter reads.
func TestOddKeys(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	const ops = "/format=jpeg,quality=75"
	for _, c := range []struct{ target, want string }{
		{"/products/shoe.jpg", "/products/shoe.jpg"},
		{"/products/%73hoe.jpg", "/products/shoe.jpg"},
		{"/%41.jpg", "/A.jpg"},
		{"/summer%20sale/red%20shoe+laces%20100%25.jpg", "/summer%20sale/red%20shoe%2Blaces%20100%25.jpg"},
		{"/summer%20sale/red%20shoe%2blaces%20100%25.jpg", "/summer%20sale/red%20shoe%2Blaces%20100%25.jpg"},
		{"/produits/chaussure-%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC.jpg", "/produits/chaussure-%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC.jpg"},
		{"/produits/chaussure-%c3%a9t%c3%a9.jpg", "/produits/chaussure-%C3%A9t%C3%A9.jpg"},
		{"/it's(1)!*.jpg", "/it%27s%281%29%21%2A.jpg"},
		{"/a~b_c-d.e.jpg", "/a~b_c-d.e.jpg"},
		{"/a=b,c;d.jpg", "/a%3Db%2Cc%3Bd.jpg"},
		{"/dir%2Fshoe.jpg", "/dir/shoe.jpg"}, // an encoded slash is a slash: S3 has no directories
		{"/..%2e.jpg", "/....jpg"},
		{"/.hidden.jpg", "/.hidden.jpg"},
	} {
		got := rewritten(t, run(t, r, "GET", c.target, ""))
		if want := c.want + ops; got != want {
			t.Errorf("%s: got %s, want %s", c.target, got, want)
		}
	}
}

// TestBadPaths are answered by the function itself with 400.
func TestBadPaths(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	long := "/" + strings.Repeat("a", 990) + ".jpg"
	for _, target := range []string{
		"/",
		"//shoe.jpg",
		"/products//shoe.jpg",
		"/products/",
		"/products/../secret.jpg",
		"/products/%2E%2E/secret.jpg",
		"/products/%2e/shoe.jpg",
		"/./shoe.jpg",
		"/..",
		"/products/%2F/shoe.jpg",
		"/shoe%.jpg",
		"/shoe%zz.jpg",
		"/shoe%C3.jpg",
		"/shoe%C0%AF.jpg",
		"/shoe%ED%A0%80.jpg",
		"/sh%00oe.jpg",
		"/sh%0Aoe.jpg",
		"/sh%7Foe.jpg",
		long,
	} {
		res := run(t, r, "GET", target+"?width=640", "image/webp")
		if res.Response == nil {
			t.Errorf("%s: rewritten to %s, want 400", target, res.Request.URI)
			continue
		}
		if res.Response.StatusCode != http.StatusBadRequest || res.Response.Body == "" {
			t.Errorf("%s: got %d %q, want 400 with a reason", target, res.Response.StatusCode, res.Response.Body)
		}
	}
}

// TestLongestKey: the variant key may be exactly S3's 1024 bytes.
func TestLongestKey(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	ops := "format=jpeg,quality=75"
	key := strings.Repeat("é", (1024-len(ops)-1-1)/2) + "b" // 2-byte letters, percent-encoded
	if n := len(key) + 1 + len(ops); n != 1024 {
		t.Fatalf("test key makes %d bytes", n)
	}
	want := contract.EncodePath(key) + "/" + ops
	if got := rewritten(t, run(t, r, "GET", contract.EncodePath(key), "")); got != want {
		t.Errorf("1024-byte variant key: got %.60s…, want %.60s…", got, want)
	}
	res := run(t, r, "GET", contract.EncodePath(key+"c"), "")
	if res.Response == nil || res.Response.StatusCode != http.StatusBadRequest {
		t.Errorf("1025-byte variant key: want 400, got %+v", res)
	}
}

// TestMethodKept: HEAD (and GET) go through unchanged; CloudFront forbids a
// viewer-request function from changing the method.
func TestMethodKept(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	for _, m := range []string{"GET", "HEAD"} {
		res := run(t, r, m, "/shoe.jpg?width=640", "image/webp")
		if res.Request == nil || res.Request.Method != m || res.Request.URI != "/shoe.jpg/format=webp,quality=75,width=640" {
			t.Errorf("%s: got %+v", m, res)
		}
	}
}

func TestEncodePathMatchesFunction(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	for _, key := range []string{"a b+c%d", "ü/日本/x.jpg", "~!*'();:@&=+$,?#[]"} {
		want := contract.EncodePath(key) + "/format=jpeg,quality=75"
		if got := rewritten(t, run(t, r, "GET", contract.EncodePath(key), "")); got != want {
			t.Errorf("%q: function wrote %s, EncodePath gives %s", key, got, want)
		}
	}
}

// TestLongURIRefusedFirst: a URI longer than any key can be written (1024
// bytes, 3 characters each, the slash) is refused for its length before it
// is decoded, whatever it holds; one just under the cap is decoded and then
// refused for the key's length, or rewritten when its key fits.
func TestLongURIRefusedFirst(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil)
	for _, c := range []struct {
		name, target string
		status       int
	}{
		{"8 KB of one-character segments", strings.Repeat("/a", 4096), 400},
		{"3076 characters of a bad escape", "/" + strings.Repeat("%zz", 1025), 400},
		{"3075 characters, a key too long", strings.Repeat("/a", 1537) + "a", 400},
		{"the longest key in %XX", contract.EncodePath(strings.Repeat("é", 495)), 200},
	} {
		res := run(t, r, "GET", c.target, "")
		switch {
		case c.status == 200 && res.Response != nil:
			t.Errorf("%s (%d characters): got %d %q", c.name, len(c.target), res.Response.StatusCode, res.Response.Body)
		case c.status != 200 && (res.Response == nil || res.Response.StatusCode != c.status || res.Response.Body != "image path too long\n"):
			t.Errorf("%s (%d characters): got %+v, want %d image path too long", c.name, len(c.target), res, c.status)
		}
	}
}
