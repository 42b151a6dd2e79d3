package stack

import (
	"fmt"
	"net/http"
	"runtime"
	"strconv"
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
	h := http.Header{"Cache-Control": {"max-age=60"}}
	one := entrySize("/a", h, []byte("aaaa"))
	c := NewCache(2*one + one/2) // room for two entries
	c.now = func() time.Time { return now }
	c.Put("/a", 200, h, []byte("aaaa"))
	c.Put("/b", 200, h, []byte("bbbb"))
	if _, ok := c.get("/a"); !ok { // /a is now the most recent
		t.Fatal("/a missing")
	}
	c.Put("/c", 200, h, []byte("cccc")) // a third entry: evicts /b
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

// tinyEntry is what the S3 origin hands the cache for a tiny variant: its
// own key, body and header strings, as fresh allocations.
func tinyEntry(i, bodyLen int) (string, http.Header, []byte) {
	h := http.Header{}
	h.Set("Content-Type", "image/webp")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", fmt.Sprintf(`"%032x"`, i))
	h.Set("Last-Modified", time.Unix(int64(1_700_000_000+i), 0).UTC().Format(http.TimeFormat))
	h.Set("Content-Length", strconv.Itoa(bodyLen))
	return fmt.Sprintf("/img/%06d.jpg/format=webp,quality=75,width=16", i), h, make([]byte, bodyLen)
}

// heapAfterGC is the live heap, measured after a collection.
func heapAfterGC() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// The cap counts what entries really hold: tiny variants cost far more in
// key, headers and bookkeeping than in body bytes. Filled with 20,000 tiny
// entries, the cache's own count is at least the heap they take (and not
// wildly above it); filled past its cap, the heap it holds stays near the
// cap. Counting body bytes alone, 20,000 64-byte variants counted 1.3 MB
// while holding 17 MB, and a 4 MiB cache held 58 MB.
func TestCacheAccountingBoundsRealMemory(t *testing.T) {
	const n = 20_000
	for _, bodyLen := range []int{0, 64, 4096} {
		c := NewCache(1 << 40)
		before := heapAfterGC()
		for i := range n {
			key, h, body := tinyEntry(i, bodyLen)
			c.Put(key, http.StatusOK, h, body)
		}
		heap := heapAfterGC() - before
		runtime.KeepAlive(c)
		accounted := int64(c.Bytes())
		t.Logf("%d entries of %d-byte bodies: %d bytes of heap (%d an entry), %d accounted (%.2f×)",
			n, bodyLen, heap, heap/n, accounted, float64(accounted)/float64(heap))
		if heap > accounted+accounted/20 {
			t.Errorf("%d-byte bodies: %d entries hold %d bytes of heap but count %d against the cap", bodyLen, n, heap, accounted)
		}
		if accounted > 2*heap {
			t.Errorf("%d-byte bodies: %d entries count %d bytes, over twice the %d they hold", bodyLen, n, accounted, heap)
		}
	}

	const limit = 4 << 20
	c := NewCache(limit)
	before := heapAfterGC()
	for i := range 10 * n { // about 170 MB of entries offered
		key, h, body := tinyEntry(i, 64)
		c.Put(key, http.StatusOK, h, body)
	}
	held := heapAfterGC() - before
	runtime.KeepAlive(c)
	t.Logf("a %d-byte cache offered %d tiny entries holds %d entries and %d bytes of heap", limit, 10*n, c.Len(), held)
	if c.Bytes() > limit || held > limit+limit/2 {
		t.Errorf("a %d-byte cache counts %d bytes and holds %d bytes of heap", limit, c.Bytes(), held)
	}
}
