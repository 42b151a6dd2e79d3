package jpegturbo

import (
	"os"
	"testing"

	"imgcells/converter/internal/smaps"
)

// TestLargeObjectsAskForHugePages: libjpeg's large objects (a progressive
// JPEG's coefficients, tens of MB) start on a 2 MB boundary and carry the
// kernel's huge-page advice (patches/huge-pages.patch), so a cold decode
// takes one page fault per 2 MB instead of per 4 KB. A smaller object stays
// as malloc gives it.
func TestLargeObjectsAskForHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	const hugePage = 2 << 20
	for _, n := range []int{2 * hugePage, 37<<20 + 12345} {
		p, free := largeAlloc(n)
		if p == 0 {
			t.Fatalf("%d bytes: no memory", n)
		}
		advised, err := smaps.HugePageAdvised(p)
		free()
		if err != nil {
			t.Fatal(err)
		}
		if p%hugePage != 0 || !advised {
			t.Errorf("%d bytes at %#x: on a 2 MB boundary %v, advised MADV_HUGEPAGE %v; want both", n, p, p%hugePage == 0, advised)
		}
	}
	p, free := largeAlloc(1 << 20)
	defer free()
	if advised, err := smaps.HugePageAdvised(p); err != nil || advised {
		t.Errorf("a 1 MB object: advised %v (%v); only objects of whole huge pages are", advised, err)
	}
}
