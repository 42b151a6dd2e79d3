package stack

import (
	"container/list"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CacheDefaultTTL is used when the origin sends no Cache-Control (as a
// CloudFront cache policy's DefaultTTL); MaxTTL caps what the origin asks.
const (
	CacheDefaultTTL = 30 * 24 * time.Hour
	CacheMaxTTL     = 365 * 24 * time.Hour
)

// cached is a stored origin response.
type cached struct {
	key      string
	status   int
	header   http.Header
	body     []byte
	storedAt time.Time
	expires  time.Time
	size     int // entrySize when stored
}

// What an entry costs beyond the bytes of its key, body and header strings,
// measured with runtime.MemStats (TestCacheAccountingBoundsRealMemory checks
// the sum stays at or above the heap an entry really takes): about 800 bytes
// for a tiny variant with S3's five headers, 13 times its 64-byte body.
const (
	// entryOverhead: the cached struct, its list element, its slot in the
	// index and the header map's own structure.
	entryOverhead = 384
	// headerFieldOverhead: each header name's map slot and value slice.
	headerFieldOverhead = 64
)

// entrySize is the memory an entry holds: its overhead, its key, its body's
// whole backing array and every header name and value.
func entrySize(key string, h http.Header, body []byte) int {
	n := entryOverhead + len(key) + cap(body)
	for name, values := range h {
		n += headerFieldOverhead + len(name)
		for _, v := range values {
			n += len(v) + 16 // the string header in the value slice
		}
	}
	return n
}

// Cache is one edge's in-memory cache, keyed by the rewritten URI alone (the
// cache policy forwards no header, cookie or query string into the key). It
// keeps 200 responses for the TTL their Cache-Control allows and evicts the
// least recently used entries past maxBytes, counting each entry's whole
// size (entrySize), so a flood of tiny variants stays within it too.
type Cache struct {
	mu       sync.Mutex
	entries  map[string]*list.Element
	lru      *list.List // front: most recent
	bytes    int
	maxBytes int
	now      func() time.Time
}

// NewCache returns an empty cache holding at most maxBytes of entries.
func NewCache(maxBytes int) *Cache {
	return &Cache{entries: map[string]*list.Element{}, lru: list.New(), maxBytes: maxBytes, now: time.Now}
}

// get returns the fresh entry for key, if any.
func (c *Cache) get(key string) (*cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cached)
	if !c.now().Before(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e, true
}

// Put stores an origin response if it is cacheable.
func (c *Cache) Put(key string, status int, h http.Header, body []byte) {
	ttl, ok := cacheTTL(status, h.Get("Cache-Control"))
	if !ok {
		return
	}
	h = h.Clone()
	size := entrySize(key, h, body)
	if size > c.maxBytes {
		return
	}
	now := c.now()
	e := &cached{key: key, status: status, header: h, body: body, storedAt: now, expires: now.Add(ttl), size: size}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.remove(old)
	}
	c.entries[key] = c.lru.PushFront(e)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

// Bytes is the memory the entries hold, as counted against the cap.
func (c *Cache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len is the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Purge empties the cache (an invalidation of /*).
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]*list.Element{}
	c.lru.Init()
	c.bytes = 0
}

// Invalidate removes the entries an invalidation path names, as CloudFront
// matches them: the URI exactly, or every URI starting with the path's text
// before a trailing "*". It returns how many it removed.
func (c *Cache) Invalidate(path string) int {
	prefix, wildcard := strings.CutSuffix(path, "*")
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for key, el := range c.entries {
		if key == path || (wildcard && strings.HasPrefix(key, prefix)) {
			c.remove(el)
			n++
		}
	}
	return n
}

func (c *Cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cached)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// cacheTTL says how long a response may be cached: only 200s, never with
// no-store, no-cache or private; s-maxage wins over max-age; no directive
// means CacheDefaultTTL; everything is capped at CacheMaxTTL.
func cacheTTL(status int, cacheControl string) (time.Duration, bool) {
	if status != http.StatusOK {
		return 0, false
	}
	maxAge, sMaxAge := -1, -1
	for d := range strings.SplitSeq(cacheControl, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache", "private":
			return 0, false
		case "max-age":
			maxAge = seconds(value)
		case "s-maxage":
			sMaxAge = seconds(value)
		}
	}
	ttl := CacheDefaultTTL
	switch {
	case sMaxAge >= 0:
		ttl = time.Duration(sMaxAge) * time.Second
	case maxAge >= 0:
		ttl = time.Duration(maxAge) * time.Second
	}
	if ttl <= 0 {
		return 0, false
	}
	return min(ttl, CacheMaxTTL), true
}

func seconds(v string) int {
	n, err := strconv.Atoi(strings.Trim(v, `"`))
	if err != nil || n < 0 {
		return -1
	}
	return n
}
