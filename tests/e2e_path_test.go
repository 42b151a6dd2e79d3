package tests

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
)

// The format follows each real browser's Accept header: WebP for browsers
// that list image/webp, JPEG for those that only say image/* or */*. Each
// format is its own cache key and its own stored object.
func TestE2EFormatPerBrowserAccept(t *testing.T) {
	s := startStack(t, nil)
	cases := []struct {
		browser, accept, want string
	}{
		{"chrome", acceptChrome, s.browserType()},
		{"firefox", acceptFirefox, s.browserType()},
		{"safari", acceptSafari, s.browserType()},
		{"old browser", acceptOldIE, "image/jpeg"},
		{"curl", acceptCurl, "image/jpeg"},
		{"no accept", "", "image/jpeg"},
	}
	for _, c := range cases {
		t.Run(c.browser, func(t *testing.T) {
			r := s.get("/photo.jpg?width=320", "", c.accept)
			mustImage(t, r, c.want)
		})
	}
	region := s.PrimaryRegion()
	got := s.transformedKeys(t.Context(), region, "photo.jpg")
	slices.Sort(got)
	want := []string{s.key("photo.jpg", "jpeg", 320), s.key("photo.jpg", s.browserFormat(), 320)}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stored variants %q, want %q", got, want)
	}
	if n := s.Conversions(region); n != 2 {
		t.Errorf("%d conversions for two formats, want 2", n)
	}
}

// Widths snap up to the configured breakpoints, so nearby widths share one
// variant: the second request is a cache hit on the same key.
func TestE2EWidthsSnap(t *testing.T) {
	s := startStack(t, nil)
	// 200 and the breakpoint it snaps to share one variant.
	bp := s.snap(200)
	if bp == 200 {
		t.Fatalf("the dev widths %v include 200; pick another probe", s.EdgeConfig().Widths)
	}
	first := s.get("/photo.jpg?width=200", "", acceptChrome)
	if cfg := mustImage(t, first, s.browserType()); cfg.Width != bp {
		t.Errorf("width=200 gave %dpx, want the %d breakpoint", cfg.Width, bp)
	}
	second := s.get("/photo.jpg?width="+strconv.Itoa(bp), "", acceptChrome)
	mustImage(t, second, s.browserType())
	if second.cache() != "Hit from cloudfront" {
		t.Errorf("width=%d after width=200: X-Cache %q, want a hit on the same variant", bp, second.cache())
	}
	if !bytes.Equal(first.Body, second.Body) {
		t.Error("snapped widths served different bytes")
	}
	next := s.snap(bp + 1)
	third := s.get("/photo.jpg?width="+strconv.Itoa(bp+1), "", acceptChrome)
	if cfg := mustImage(t, third, s.browserType()); cfg.Width != next {
		t.Errorf("width=%d gave %dpx, want the %d breakpoint", bp+1, cfg.Width, next)
	}
	// A width above the original never enlarges it.
	big := s.get("/photo.jpg?width=1000", "", acceptChrome)
	orig := readPhoto(t, "photo.jpg")
	origCfg := decodeConfig(t, orig)
	if cfg := mustImage(t, big, s.browserType()); cfg.Width != origCfg.Width {
		t.Errorf("width=1000 of a %dpx original gave %dpx", origCfg.Width, cfg.Width)
	}
	keys := s.transformedKeys(t.Context(), s.PrimaryRegion(), "photo.jpg")
	slices.Sort(keys)
	want := []string{s.key("photo.jpg", s.browserFormat(), 200), s.key("photo.jpg", s.browserFormat(), bp+1), s.key("photo.jpg", s.browserFormat(), 1000)}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("stored %q, want %q", keys, want)
	}
}

// A miss fails over from the empty bucket to the converter, which stores the
// variant; the repeat is a cache hit; after the edge cache is emptied the
// variant comes from the bucket without converting again.
func TestE2EMissConvertsThenHitsThenServesFromBucket(t *testing.T) {
	s := startStack(t, nil)
	region := s.PrimaryRegion()
	path := "/portrait.jpg?width=300"

	miss := s.get(path, "", acceptChrome)
	mustImage(t, miss, s.browserType())
	if miss.cache() != "Miss from cloudfront" || miss.origin() != "converter" {
		t.Errorf("cold request: X-Cache %q origin %q, want a miss served by the converter", miss.cache(), miss.origin())
	}
	if miss.Header.Get("X-Imgcells-Failover") != "s3 404" {
		t.Errorf("failover reason %q, want s3 404", miss.Header.Get("X-Imgcells-Failover"))
	}
	key := s.key("portrait.jpg", s.browserFormat(), 300)
	data, ctype, cacheControl, err := s.Object(context.Background(), s.Buckets().Transformed(region), key)
	if err != nil {
		t.Fatalf("variant not stored: %v", err)
	}
	if !bytes.Equal(data, miss.Body) || ctype != s.browserType() || cacheControl == "" {
		t.Errorf("stored object: %d bytes %q %q; served %d bytes", len(data), ctype, cacheControl, len(miss.Body))
	}

	hit := s.get(path, "", acceptChrome)
	mustImage(t, hit, s.browserType())
	if hit.cache() != "Hit from cloudfront" || hit.Header.Get("Age") == "" {
		t.Errorf("repeat: X-Cache %q Age %q, want a hit with an Age", hit.cache(), hit.Header.Get("Age"))
	}
	if hit.Header.Get("Cache-Control") != cacheControl {
		t.Errorf("hit Cache-Control %q, want the stored %q", hit.Header.Get("Cache-Control"), cacheControl)
	}

	s.PurgeCaches()
	fromBucket := s.get(path, "", acceptChrome)
	mustImage(t, fromBucket, s.browserType())
	if fromBucket.cache() != "Miss from cloudfront" || fromBucket.origin() != "s3" {
		t.Errorf("after purge: X-Cache %q origin %q, want a miss served by S3", fromBucket.cache(), fromBucket.origin())
	}
	if !bytes.Equal(fromBucket.Body, miss.Body) {
		t.Error("the bucket served different bytes than the converter")
	}
	if n := s.Conversions(region); n != 1 {
		t.Errorf("%d conversions, want 1", n)
	}
}

// A variant converted in one region reaches the other regions' transformed
// buckets by replication, and their edges serve it without converting.
func TestE2EVariantServedFromAnotherRegionAfterReplication(t *testing.T) {
	s := startStack(t, nil)
	regions := s.Regions()
	home, away := regions[0], regions[1]
	path := "/photo.png?width=128"

	first := s.get(path, home, acceptChrome)
	mustImage(t, first, s.browserType())
	if len(s.transformedKeys(t.Context(), away, "photo.png")) != 0 {
		t.Fatalf("%s already has the variant before replication", away)
	}
	if n, err := s.Replicate(context.Background()); err != nil || n == 0 {
		t.Fatalf("replication copied %d objects: %v", n, err)
	}
	if got := s.transformedKeys(t.Context(), away, "photo.png"); len(got) != 1 {
		t.Fatalf("%s has %q after replication, want the one variant", away, got)
	}
	there := s.get(path, away, acceptChrome)
	mustImage(t, there, s.browserType())
	if there.origin() != "s3" {
		t.Errorf("%s served it from %q, want its transformed bucket", away, there.origin())
	}
	if s.Conversions(away) != 0 {
		t.Errorf("%s converted %d times, want 0", away, s.Conversions(away))
	}
	if !bytes.Equal(there.Body, first.Body) {
		t.Error("the replicated variant differs from the original conversion")
	}
}

// An original uploaded to the primary source bucket but not yet replicated
// to a region's replica is still served there: the converter falls back to
// the primary bucket.
func TestE2EUnreplicatedUploadIsServed(t *testing.T) {
	s := startStack(t, nil)
	away := s.Regions()[1]
	ctx := context.Background()
	if _, err := s.Replicate(ctx); err != nil { // the sample photos reach every replica
		t.Fatal(err)
	}
	if err := s.Upload(ctx, "uploads/new-shoe.jpg", readPhoto(t, "portrait.jpg")); err != nil {
		t.Fatal(err)
	}
	replica, err := s.Keys(ctx, s.Buckets().Source(away), "uploads/")
	if err != nil || len(replica) != 0 {
		t.Fatalf("replica of %s has %q (%v) before replication", away, replica, err)
	}
	r := s.get("/uploads/new-shoe.jpg?width=200", away, acceptFirefox)
	mustImage(t, r, s.browserType())
	if r.origin() != "converter" {
		t.Errorf("origin %q, want the converter of %s", r.origin(), away)
	}
	if got := s.transformedKeys(ctx, away, "uploads/new-shoe.jpg"); len(got) != 1 {
		t.Errorf("%s stored %q, want one variant", away, got)
	}
}

// HEAD goes through the same path: a cold HEAD is answered by the
// converter without a body, and after a GET it is a cache hit whose
// Content-Length is the GET's.
func TestE2EHead(t *testing.T) {
	s := startStack(t, nil)
	path := "/photo.jpg?width=640"
	cold := s.do(http.MethodHead, path, "", acceptChrome)
	if cold.Status != http.StatusOK || cold.Header.Get("Content-Type") != s.browserType() || len(cold.Body) != 0 {
		t.Errorf("cold HEAD: %d %q with %d body bytes", cold.Status, cold.Header.Get("Content-Type"), len(cold.Body))
	}
	get := s.get(path, "", acceptChrome)
	mustImage(t, get, s.browserType())
	head := s.do(http.MethodHead, path, "", acceptChrome)
	if head.Status != http.StatusOK || head.cache() != "Hit from cloudfront" || len(head.Body) != 0 {
		t.Errorf("HEAD after GET: %d %q with %d body bytes", head.Status, head.cache(), len(head.Body))
	}
	for name, r := range map[string]reply{"cold HEAD": cold, "HEAD hit": head} {
		if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(get.Body)) {
			t.Errorf("%s: Content-Length %s, the GET body has %d bytes", name, got, len(get.Body))
		}
	}
}
