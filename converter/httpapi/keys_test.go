package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chai2010/webp"

	"imgcells/contract"
)

var oddKeys = []string{
	"summer sale/red shoe.jpg",
	"c++/a+b.jpg",
	"100%/50%20off.jpg", // a literal "%20": must not be decoded twice
	"%41.jpg",           // a literal "%41", not "A.jpg"
	"café/Ünïcödé 日本語.jpg",
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

	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 120}
	for _, k := range oddKeys {
		vk := contract.VariantKey(k, v)
		req, err := http.NewRequest(http.MethodGet, srv.URL+contract.CDNPath(k, v), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(contract.OriginVerifyHeader, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
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
