package jpegturbo

import (
	"os"
	"runtime"
	"testing"

	"imgcells/converter/internal/cmalloc"
	"imgcells/converter/internal/smaps"
)

// TestLargeObjectsAskForHugePages: libjpeg's large objects (a progressive
// JPEG's coefficients, tens of MB) start on a 2 MB boundary and their whole
// 2 MB pages carry the kernel's huge-page advice (patches/huge-pages.patch),
// so a cold decode takes one page fault per 2 MB instead of per 4 KB. The
// partly used last 2 MB is advised the other way, so that the object never
// holds more memory than it did; a smaller object stays as malloc gives it.
func TestLargeObjectsAskForHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	const hugePage = 2 << 20
	flag := func(p uintptr, f string) bool {
		t.Helper()
		has, err := smaps.HasFlag(p, f)
		if err != nil {
			t.Fatal(err)
		}
		return has
	}
	for _, n := range []int{2 * hugePage, 37<<20 + 12345} {
		p, free := largeAlloc(n)
		if p == 0 {
			t.Fatalf("%d bytes: no memory", n)
		}
		whole := uintptr(n) &^ (hugePage - 1)
		aligned, huge := p%hugePage == 0, flag(p, "hg") && flag(p+whole-1, "hg")
		tail := whole == uintptr(n) || flag(p+uintptr(n)-1, "nh")
		free()
		if !aligned || !huge || !tail {
			t.Errorf("%d bytes at %#x: on a 2 MB boundary %v, whole pages advised MADV_HUGEPAGE %v, partial last page MADV_NOHUGEPAGE %v; want all",
				n, p, aligned, huge, tail)
		}
	}
	p, free := largeAlloc(1 << 20)
	defer free()
	if flag(p, "hg") {
		t.Error("a 1 MB object was advised MADV_HUGEPAGE: only objects of whole huge pages are")
	}
}

// TestFreedLargeObjectServesTheNextOfItsSize: in a warm converter (malloc
// keeping freed memory in one heap), the block a decode's coefficients
// occupied serves the next decode of the same size, as it did before they
// were aligned: the heap does not grow, so the pages are not faulted again
// (an aligned allocation that needs 2 MB more than the freed block holds
// would take fresh memory each time, and the converter would trim and fault
// it again and again).
func TestFreedLargeObjectServesTheNextOfItsSize(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmalloc.KeepFreed() // as a warm converter does
	const n = 37<<20 + 12345
	_, free := largeAlloc(n)
	defer cAlloc(3 << 20)() // something after it in the heap, as in a conversion
	free()
	before := cmalloc.HeapBytes()
	_, free = largeAlloc(n)
	defer free()
	if grew := cmalloc.HeapBytes() - before; grew > 0 {
		t.Errorf("asking again for the %d bytes just freed grew malloc's heap by %d bytes", n, grew)
	}
}
