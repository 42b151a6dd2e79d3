package httpapi_test

import (
	"bytes"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/chai2010/webp"

	"imgcells/contract"
)

// gatewayPath is rawPath as API Gateway HTTP APIs deliver it for cdnPath:
// percent-decoded and cut at the first decoded "?" (and "#").
func gatewayPath(t *testing.T, cdnPath string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(cdnPath); i++ {
		if cdnPath[i] == '%' && i+2 < len(cdnPath) {
			var c byte
			for _, h := range cdnPath[i+1 : i+3] {
				c <<= 4
				switch {
				case h >= '0' && h <= '9':
					c |= byte(h - '0')
				case h >= 'A' && h <= 'F':
					c |= byte(h-'A') + 10
				default:
					t.Fatalf("%q: not canonical", cdnPath)
				}
			}
			if c == '?' || c == '#' {
				break
			}
			b.WriteByte(c)
			i += 2
			continue
		}
		b.WriteByte(cdnPath[i])
	}
	return b.String()
}

var queryKeys = []string{"summer?sale.jpg", "tag#blue/shoe.jpg", "a?b#c%20?.jpg"}

// TestKeysWithQueryMarkNeedTheHeader: without the edge's header the cut
// rawPath is no variant key (400, nothing read or stored); with it the exact
// original is converted and the exact variant key written.
func TestKeysWithQueryMarkNeedTheHeader(t *testing.T) {
	hs := newHarness(t, nil)
	jpeg := photo(t, "photo.jpg")
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 120}
	for _, k := range queryKeys {
		hs.mem.PutReplica(k, jpeg)
		// decoys a cut or double-decoded path would name
		hs.mem.PutReplica(k[:strings.IndexAny(k, "?#")], []byte("decoy"))
	}
	for _, k := range queryKeys {
		cdn := contract.CDNPath(k, v)
		e := withPath(fixture(t, "get.json"), gatewayPath(t, cdn))

		resp := hs.do(t, e)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%q without %s: status %d %q, want 400", k, contract.VariantHeader, resp.StatusCode, resp.Body)
		}
		if n := hs.mem.VariantCount(); n != 0 {
			t.Fatalf("%q without the header stored %d variants", k, n)
		}
	}
	for i, k := range queryKeys {
		vk := contract.VariantKey(k, v)
		e := withPath(fixture(t, "get.json"), gatewayPath(t, contract.CDNPath(k, v)))
		e.Headers[contract.VariantHeader] = contract.CDNPath(k, v)
		resp := hs.do(t, e)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%q with %s: status %d %q", k, contract.VariantHeader, resp.StatusCode, resp.Body)
			continue
		}
		stored, ok := hs.mem.Variant(vk)
		if !ok {
			t.Errorf("%q: variant not stored under %q", k, vk)
			continue
		}
		if _, err := webp.DecodeConfig(bytes.NewReader(stored.Data)); err != nil {
			t.Errorf("%q: stored variant is not WebP: %v", k, err)
		}
		if n := hs.mem.VariantCount(); n != i+1 {
			t.Errorf("%d variants stored after %d keys", n, i+1)
		}
		if got := hs.lastLog(t)["key"]; got != k {
			t.Errorf("%q: logged key %v", k, got)
		}
	}
}

// TestVariantHeaderIsDecodedOnce: the header wins over rawPath, is decoded
// exactly once (a literal "%41" stays "%41") and a bad escape is a 400.
func TestVariantHeaderIsDecodedOnce(t *testing.T) {
	hs := newHarness(t, nil)
	hs.mem.PutReplica("%41.jpg", photo(t, "photo.jpg"))
	hs.mem.PutReplica("A.jpg", []byte("decoy: a double decode would read this"))
	base := withPath(fixture(t, "get.json"), "/products/photo.jpg/format=png")

	e := base
	e.Headers = map[string]string{}
	maps.Copy(e.Headers, base.Headers)
	e.Headers[contract.VariantHeader] = "/%2541.jpg/format=png,width=64"
	if resp := hs.do(t, e); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d %q", resp.StatusCode, resp.Body)
	}
	if _, ok := hs.mem.Variant("%41.jpg/format=png,width=64"); !ok || hs.mem.VariantCount() != 1 {
		t.Errorf("variants: %d, want only %q", hs.mem.VariantCount(), "%41.jpg/format=png,width=64")
	}

	for _, bad := range []string{"/a%zz.jpg/format=png", "/a.jpg%/format=png", "/a%4.jpg/format=png", "/a.jpg/format=gif", "/a.jpg/format=png/"} {
		e.Headers[contract.VariantHeader] = bad
		if resp := hs.do(t, e); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("header %q: status %d %q, want 400", bad, resp.StatusCode, resp.Body)
		}
	}
	if n := hs.mem.VariantCount(); n != 1 {
		t.Errorf("%d variants stored after bad headers", n)
	}
}
