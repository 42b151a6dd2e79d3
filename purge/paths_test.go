package purge

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"imgcells/contract"
)

// matches reports whether CloudFront would invalidate uri with path.
func matches(path, uri string) bool {
	if p, ok := strings.CutSuffix(path, "*"); ok {
		return strings.HasPrefix(uri, p)
	}
	return path == uri
}

func TestPathMatchesEveryVariantURIAsTheEdgeWritesIt(t *testing.T) {
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 640}
	for key, want := range map[string]string{
		"products/shoe.jpg":      "/products/shoe.jpg/*",
		"with space/shoe 1.jpg":  "/with%20space/shoe%201.jpg/*",
		"a+b.jpg":                "/a%2Bb.jpg/*",
		"ünïcødé/фото.jpg":       "/%C3%BCn%C3%AFc%C3%B8d%C3%A9/%D1%84%D0%BE%D1%82%D0%BE.jpg/*",
		"odd/a~b.jpg":            "/odd/a*",
		"100%/50%20off.jpg":      "/100%25/50%2520off.jpg/*",
		"q?/hash#.png":           "/q%3F/hash%23.png/*",
		"nested/a.jpg/inner.jpg": "/nested/a.jpg/inner.jpg/*",
	} {
		got := Path(key)
		if got != want {
			t.Errorf("Path(%q) = %q, want %q", key, got, want)
		}
		if uri := contract.CDNPath(key, v); !matches(got, uri) {
			t.Errorf("Path(%q) = %q does not match the cache key %q", key, got, uri)
		}
		if strings.Contains(got, "~") || strings.Count(got, "*") != 1 || !strings.HasSuffix(got, "*") || !strings.HasPrefix(got, "/") {
			t.Errorf("Path(%q) = %q is not a valid invalidation path", key, got)
		}
	}
	// It does not match a sibling original sharing a prefix.
	if matches(Path("a.jpg"), contract.CDNPath("a.jpg2", v)) {
		t.Error("the path of a.jpg matches a.jpg2's variants")
	}
}

func TestPrefixPath(t *testing.T) {
	for prefix, want := range map[string]string{"products/": "/products/*", "products/sho": "/products/sho*", "ü": "/%C3%BC*"} {
		if got := PrefixPath(prefix); got != want {
			t.Errorf("PrefixPath(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func TestPathsCoversEveryKeyWithinTheLimit(t *testing.T) {
	v := contract.Variant{Format: contract.FormatJPEG, Quality: 75, Width: 320}
	keys := []string{"a.jpg", "a.jpg", "b/c.jpg"}
	if got, want := Paths(keys, 6), []string{"/a.jpg/*", "/b/c.jpg/*"}; !slices.Equal(got, want) {
		t.Errorf("Paths(%v) = %v, want %v", keys, got, want)
	}
	keys = nil
	for i := range 40 {
		keys = append(keys, fmt.Sprintf("products/shoe-%02d.jpg", i), fmt.Sprintf("banners/ü%d.png", i))
	}
	keys = append(keys, "x.jpg")
	for _, limit := range []int{1, 2, 3, 6} {
		paths := Paths(keys, limit)
		if len(paths) == 0 || len(paths) > limit {
			t.Errorf("limit %d: %d paths %v", limit, len(paths), paths)
		}
		for _, k := range keys {
			uri := contract.CDNPath(k, v)
			if !slices.ContainsFunc(paths, func(p string) bool { return matches(p, uri) }) {
				t.Errorf("limit %d: %v miss %s", limit, paths, uri)
			}
		}
		for _, p := range paths {
			// Never a cut escape: "%C" or "%" before the "*".
			if i := strings.LastIndexByte(p, '%'); i >= 0 && len(p)-1-i < 3 {
				t.Errorf("limit %d: %q ends inside an escape", limit, p)
			}
		}
	}
	// Grouping keeps related keys together: two groups and a stray need 3.
	if got := Paths(keys, 3); !slices.Equal(got, []string{"/banners/%C3%BC*", "/products/shoe-*", "/x.jpg/*"}) {
		t.Errorf("Paths(…, 3) = %v", got)
	}
}
