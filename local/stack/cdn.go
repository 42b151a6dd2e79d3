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
}

// Cache is one edge's in-memory cache, keyed by the rewritten URI alone (the
// cache policy forwards no header, cookie or query string into the key). It
// keeps 200 responses for the TTL their Cache-Control allows and evicts the
// least recently used entries past maxBytes.
type Cache struct {
	mu       sync.Mutex
	entries  map[string]*list.Element
	lru      *list.List // front: most recent
	bytes    int
	maxBytes int
	now      func() time.Time
}

// NewCache returns an empty cache holding at most maxBytes of bodies.
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
	if !ok || len(body) > c.maxBytes {
		return
	}
	now := c.now()
	e := &cached{key: key, status: status, header: h.Clone(), body: body, storedAt: now, expires: now.Add(ttl)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.remove(old)
	}
	c.entries[key] = c.lru.PushFront(e)
	c.bytes += len(body)
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
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

func (c *Cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cached)
	delete(c.entries, e.key)
	c.bytes -= len(e.body)
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
