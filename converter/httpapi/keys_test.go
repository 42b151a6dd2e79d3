package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chai2010/webp"

	"imgcells/converter"
	"imgcells/converter/httpapi"
)

var oddKeys = []string{
	"summer sale/red shoe.jpg",
	"c++/a+b.jpg",
	"100%/50%20off.jpg", // a literal "%20": must not be decoded twice
	"%41.jpg",           // a literal "%41", not "A.jpg"
	"café/Ünïcödé 日本語.jpg",
}

func TestCDNPathEncodesLikeTheEdge(t *testing.T) {
	cases := map[string]string{
		"products/shoe.jpg/format=webp,quality=75,width=640": "/products/shoe.jpg/format=webp,quality=75,width=640",
		"summer sale/red shoe.jpg/format=png":                "/summer%20sale/red%20shoe.jpg/format=png",
		"c++/a+b.jpg/format=png":                             "/c%2B%2B/a%2Bb.jpg/format=png",
		"100%/50%20off.jpg/format=png":                       "/100%25/50%2520off.jpg/format=png",
		"café/x(1)!*'.jpg/format=png":                        "/caf%C3%A9/x%281%29%21%2A%27.jpg/format=png",
		"a~b_c-d.e/format=jpeg,quality=80,width=1,height=2":  "/a~b_c-d.e/format=jpeg,quality=80,width=1,height=2",
	}
	for key, want := range cases {
		if got := httpapi.CDNPath(key); got != want {
			t.Errorf("CDNPath(%q) = %q, want %q", key, got, want)
		}
		if dec, err := url.PathUnescape(httpapi.CDNPath(key)); err != nil || dec != "/"+key {
			t.Errorf("CDNPath(%q) decodes to %q (%v)", key, dec, err)
		}
	}
}

// TestOddKeysOverHTTP sends each key the way the edge spells it through
// ServeHTTP (net/http decodes the path once, as API Gateway does) and
// checks the exact original was read and the exact variant key written.
func TestOddKeysOverHTTP(t *testing.T) {
	hs := newHarness(t, nil)
	jpeg := photo(t, "photo.jpg")
	for _, k := range oddKeys {
		hs.mem.PutReplica(k, jpeg)
	}
	hs.mem.PutReplica("A.jpg", []byte("decoy: a double decode would read this"))
	srv := httptest.NewServer(hs.h)
	defer srv.Close()

	v := converter.Variant{Format: converter.FormatWebP, Quality: 75, Width: 120}
	for _, k := range oddKeys {
		vk := converter.VariantKey(k, v)
		req, err := http.NewRequest(http.MethodGet, srv.URL+httpapi.CDNPath(vk), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(httpapi.OriginVerifyHeader, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%q: status %d %q", k, resp.StatusCode, body)
			continue
		}
		if _, err := webp.DecodeConfig(bytes.NewReader(body)); err != nil {
			t.Errorf("%q: body is not WebP: %v", k, err)
		}
		if _, ok := hs.mem.Variant(vk); !ok {
			t.Errorf("%q: variant not stored under %q", k, vk)
		}
	}
	if n := hs.mem.VariantCount(); n != len(oddKeys) {
		t.Errorf("%d variants stored, want %d (one per key, no aliases)", n, len(oddKeys))
	}
}
