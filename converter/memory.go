package converter

import (
	"runtime/debug"
	"sync/atomic"

	"imgcells/contract"
	"imgcells/converter/internal/cmalloc"
)

// A warm converter (the Lambda, converting one request after another)
// keeps freed memory for the next request: a fresh page costs a fault, and
// on a virtual machine faulting in a progressive JPEG's coefficient buffer
// takes longer than decoding into a warm one. What it keeps is bounded, so
// any sequence of requests within the budget fits the function's memory:
//
//   - pooled pixel buffers: at most retainedBytes/2 (bufpool.go);
//   - the C allocator's free memory: returned to the kernel after a
//     conversion that leaves more than retainedBytes/2 of it;
//   - the Go heap: after a conversion predicted to peak above
//     retainedBytes/2, its garbage is collected and returned at once; during
//     each conversion Go's memory limit is the working memory less the C
//     libraries' predicted share, so the collector runs before the sum would
//     pass the budget.
//
// So a warm converter holds at most the working memory, retainedBytes/2 of
// C free lists and the process itself: within the contract's ReservedMB
// and the tenth of the memory WorkingBytes leaves aside. A conversion below
// retainedBytes/2 (a 12 MP photo to 640 pixels wide, under 50 MB) keeps the
// fast path; a larger one pays for fresh pages, a small part of its cost.
var warm struct {
	on     atomic.Bool
	budget atomic.Pointer[contract.Budget]
}

// retainedBytes is what a warm converter may keep between requests; the
// contract's ReservedMB holds it.
func retainedBytes(b contract.Budget) int64 {
	return min(int64(b.MemoryMB)<<20/8, 256<<20)
}

// KeepFreedMemory tunes the process for many conversions in a row within b:
// call it once at start in long-running converters (the Lambda's main).
// A one-shot command should not call it.
func KeepFreedMemory(b contract.Budget) {
	cmalloc.KeepFreed()
	pixelPool.setMax(retainedBytes(b) / 2)
	warm.budget.Store(&b)
	warm.on.Store(true)
}

// prepare sets Go's memory limit for a conversion predicted to cost c: the
// working memory less what the C libraries will hold (pooled buffers are Go
// memory, inside the limit).
func prepare(c cost) {
	if !warm.on.Load() {
		return
	}
	b := warm.budget.Load()
	debug.SetMemoryLimit(max(b.WorkingBytes()-c.cPeak, 64<<20))
}

// settle runs after every conversion of a warm converter: it gives back
// what is over the retention bounds.
func settle(c cost) {
	if !warm.on.Load() {
		return
	}
	b := warm.budget.Load()
	keep := retainedBytes(*b) / 2
	if c.peak > keep {
		debug.FreeOSMemory()
	}
	if cmalloc.FreeBytes() > keep {
		cmalloc.Trim(keep)
	}
}
