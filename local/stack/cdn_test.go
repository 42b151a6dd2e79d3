package stack

import (
	"net/http"
	"testing"
	"time"
)

func TestCacheTTLFollowsCacheControl(t *testing.T) {
	cases := []struct {
		status int
		cc     string
		want   time.Duration
		ok     bool
	}{
		{200, "public, max-age=31536000, immutable", 365 * 24 * time.Hour, true},
		{200, "max-age=60", time.Minute, true},
		{200, "max-age=60, s-maxage=600", 10 * time.Minute, true},
		{200, "", CacheDefaultTTL, true},
		{200, "max-age=999999999", CacheMaxTTL, true},
		{200, "no-store", 0, false},
		{200, "no-cache", 0, false},
		{200, "private, max-age=60", 0, false},
		{200, "max-age=0", 0, false},
		{404, "max-age=60", 0, false},
		{500, "", 0, false},
	}
	for _, c := range cases {
		got, ok := cacheTTL(c.status, c.cc)
		if got != c.want || ok != c.ok {
			t.Errorf("cacheTTL(%d, %q) = %s %v, want %s %v", c.status, c.cc, got, ok, c.want, c.ok)
		}
	}
}

func TestCacheExpiresAndEvictsLeastRecentlyUsed(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := NewCache(10)
	c.now = func() time.Time { return now }
	h := http.Header{"Cache-Control": {"max-age=60"}}
	c.Put("/a", 200, h, []byte("aaaa"))
	c.Put("/b", 200, h, []byte("bbbb"))
	if _, ok := c.get("/a"); !ok { // /a is now the most recent
		t.Fatal("/a missing")
	}
	c.Put("/c", 200, h, []byte("cccc")) // 12 bytes > 10: evicts /b
	if _, ok := c.get("/b"); ok {
		t.Error("/b survived eviction though least recently used")
	}
	if _, ok := c.get("/a"); !ok {
		t.Error("/a was evicted though recently used")
	}
	c.Put("/private", 200, http.Header{"Cache-Control": {"private"}}, []byte("x"))
	if _, ok := c.get("/private"); ok {
		t.Error("a private response was cached")
	}
	now = now.Add(61 * time.Second)
	if _, ok := c.get("/a"); ok {
		t.Error("/a served after its max-age")
	}
	if c.Len() != 1 { // /c, expired but not yet looked up
		t.Errorf("Len = %d, want 1", c.Len())
	}
}
