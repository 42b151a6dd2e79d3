package lcms

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"sync/atomic"
)

// The cache keeps built transforms across requests, keyed by the profile's
// SHA-256 and the pixel layout: a site's photos share a handful of profiles
// (Display P3 from phones, Adobe RGB from cameras, one press profile), so
// after the first image each costs nothing to prepare. It is bounded in
// entries and in the memory the transforms hold; the least recently used
// go first. Profiles that failed are cached too, so a hostile one costs
// its checks once.
const (
	cacheEntries = 64
	cacheBytes   = 16 << 20
)

type key struct {
	sum  [32]byte
	kind Kind
}

type entry struct {
	key     key
	ready   chan struct{} // closed once built (or failed)
	x       *xform
	ident   bool       // the transform changes no 8-bit value by more than 1: sRGB in effect
	lut     *[256]byte // grey: the whole transform as a table
	err     error
	bytes   int64
	refs    int  // Transforms handed out and not released
	dead    bool // evicted: freed when the last reference goes
	counted bool // bytes added to the cache's total
}

type cache struct {
	mu     sync.Mutex
	m      map[key]*list.Element
	l      list.List
	bytes  int64
	builds atomic.Int64
}

var shared = &cache{m: map[key]*list.Element{}}

// get returns the entry for the profile, building it at most once however
// many requests ask at the same time. The caller releases it.
func (c *cache) get(profile []byte, kind Kind) *entry {
	k := key{sha256.Sum256(profile), kind}
	c.mu.Lock()
	if el, ok := c.m[k]; ok {
		e := el.Value.(*entry)
		c.l.MoveToFront(el)
		e.refs++
		c.mu.Unlock()
		<-e.ready
		return e
	}
	e := &entry{key: k, ready: make(chan struct{}), refs: 1}
	c.m[k] = c.l.PushFront(e)
	c.mu.Unlock()

	c.builds.Add(1)
	e.build(profile, kind)
	close(e.ready)

	c.mu.Lock()
	if !e.dead {
		c.bytes += e.bytes
		e.counted = true
	}
	c.evict()
	c.mu.Unlock()
	return e
}

// evict drops the least recently used entries past the bounds. Called with
// c.mu held.
func (c *cache) evict() {
	for c.l.Len() > cacheEntries || (c.bytes > cacheBytes && c.l.Len() > 1) {
		el := c.l.Back()
		e := el.Value.(*entry)
		c.l.Remove(el)
		delete(c.m, e.key)
		if e.counted {
			c.bytes -= e.bytes
		}
		e.dead = true
		if e.refs == 0 && e.x != nil {
			e.x.free()
			e.x = nil
		}
	}
}

func (c *cache) release(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	if e.refs == 0 && e.dead && e.x != nil {
		e.x.free()
		e.x = nil
	}
}

// build makes the transform and decides whether it is the identity.
func (e *entry) build(profile []byte, kind Kind) {
	x, err := build(profile, kind)
	if err != nil {
		e.err = err
		return
	}
	e.bytes = x.bytes() + 1024 // and the bookkeeping
	switch kind {
	case Gray:
		var in, out [256]byte
		for i := range in {
			in[i] = byte(i)
		}
		x.apply(in[:], out[:], 256)
		x.free()
		e.lut, e.ident = &out, maxDiff(in[:], out[:]) <= 1
		e.bytes = 256 + 1024
	case RGB, RGBA:
		e.x = x
		in := probe(kind)
		out := make([]byte, len(in))
		x.apply(in, out, len(in)/kind.channels())
		e.ident = maxDiff(in, out) <= 1
	default:
		e.x = x
	}
}

func (k Kind) channels() int {
	if k == RGB {
		return 3
	}
	if k == Gray {
		return 1
	}
	return 4
}

// probe is every grey and a 17-point grid of the RGB cube (alpha 255):
// what a transform must leave alone to count as the identity.
func probe(kind Kind) []byte {
	ch := kind.channels()
	var px []byte
	add := func(r, g, b int) {
		px = append(px, byte(r), byte(g), byte(b))
		if ch == 4 {
			px = append(px, 0xFF)
		}
	}
	for v := range 256 {
		add(v, v, v)
	}
	for r := 0; r <= 256; r += 16 {
		for g := 0; g <= 256; g += 16 {
			for b := 0; b <= 256; b += 16 {
				add(min(r, 255), min(g, 255), min(b, 255))
			}
		}
	}
	return px
}

func maxDiff(a, b []byte) int {
	m := 0
	for i := range a {
		m = max(m, int(a[i])-int(b[i]), int(b[i])-int(a[i]))
	}
	return m
}

// Stats are the cache's size and how many transforms it has built since
// the process started.
type Stats struct {
	Entries int
	Bytes   int64
	Builds  int64
}

// CacheStats reports the transform cache's state.
func CacheStats() Stats {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	return Stats{Entries: shared.l.Len(), Bytes: shared.bytes, Builds: shared.builds.Load()}
}
