package converter

import (
	"sync"
	"syscall"
)

const hugePage = 2 << 20

// mapped records the buffers bigBuffer mapped, so only those are unmapped.
var mapped struct {
	sync.Mutex
	base map[*byte]bool
}

// bigBuffer maps a pixel buffer outside the Go heap and asks for
// transparent huge pages, so filling it takes one page fault per 2 MB
// instead of one per 4 KB (the difference is most of a cold conversion on
// a virtual machine). It falls back to the heap if mapping fails.
func bigBuffer(n int) []byte {
	size := (max(n, 1) + hugePage - 1) / hugePage * hugePage
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, n)
	}
	const madvHugePage = 14 // MADV_HUGEPAGE
	_ = syscall.Madvise(b, madvHugePage)
	mapped.Lock()
	if mapped.base == nil {
		mapped.base = map[*byte]bool{}
	}
	mapped.base[&b[0]] = true
	mapped.Unlock()
	return b[:n]
}

// freeBigBuffer unmaps a buffer that bigBuffer mapped; heap buffers are left
// to the GC. Nothing may use the buffer afterwards.
func freeBigBuffer(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:cap(b)]
	mapped.Lock()
	ok := mapped.base[&b[0]]
	delete(mapped.base, &b[0])
	mapped.Unlock()
	if ok {
		_ = syscall.Munmap(b)
	}
}
