package converter

import "sync"

// Large pixel buffers (a decoded photo is 10–60 MB) are kept between
// conversions: a fresh buffer costs a page fault per 4 KB touched, which on
// a virtual machine takes longer than decoding into a warm one.
const (
	poolMaxBufs  = 6         // a conversion uses at most three
	poolMaxBytes = 256 << 20 // never keep more than this in total (KeepFreedMemory may lower it)
)

// poolMinBytes: smaller buffers come and go with the GC (a variable so the
// tests can push small images through the pool).
var poolMinBytes = 1 << 20

type bufPool struct {
	mu    sync.Mutex
	free  [][]byte
	total int
	max   int // 0: poolMaxBytes
}

// setMax bounds what the pool keeps in total, dropping the excess.
func (p *bufPool) setMax(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.max = int(min(n, poolMaxBytes))
	p.trim()
}

func (p *bufPool) limit() int {
	if p.max > 0 {
		return p.max
	}
	return poolMaxBytes
}

var pixelPool bufPool

// get returns a buffer of length n, reused when one is large enough. Its
// contents are stale: callers overwrite every byte.
func (p *bufPool) get(n int) []byte {
	if n < poolMinBytes {
		return make([]byte, n)
	}
	p.mu.Lock()
	best := -1
	for i, b := range p.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(p.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := p.free[best]
		p.free = append(p.free[:best], p.free[best+1:]...)
		p.total -= cap(b)
		p.mu.Unlock()
		return b[:n]
	}
	p.mu.Unlock()
	b := make([]byte, n)
	adviseHugePages(b)
	return b
}

// put offers a buffer back; the smallest ones are dropped when full.
func (p *bufPool) put(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cap(b) < poolMinBytes || cap(b) > p.limit() {
		return
	}
	p.free = append(p.free, b[:0])
	p.total += cap(b)
	p.trim()
}

func (p *bufPool) trim() {
	for len(p.free) > poolMaxBufs || p.total > p.limit() {
		small := 0
		for i, f := range p.free {
			if cap(f) < cap(p.free[small]) {
				small = i
			}
		}
		p.total -= cap(p.free[small])
		p.free = append(p.free[:small], p.free[small+1:]...)
	}
}

// scratch hands out pooled buffers for one conversion and returns them all
// when it ends; nothing allocated through it may outlive the conversion.
type scratch struct{ bufs [][]byte }

func (s *scratch) alloc(n int) []byte {
	b := pixelPool.get(n)
	s.bufs = append(s.bufs, b)
	return b
}

func (s *scratch) release() {
	for _, b := range s.bufs {
		pixelPool.put(b)
	}
	s.bufs = nil
}
