package converter

import (
	"testing"
	"unsafe"

	"imgcells/converter/internal/smaps"
)

func TestSelectedHugePageMode(t *testing.T) {
	for in, want := range map[string]string{
		"always [madvise] never\n": "madvise",
		"[always] madvise never\n": "always",
		"always madvise [never]\n": "never",
		"":                         "unavailable",
		"garbled]":                 "unavailable",
	} {
		if got := selectedMode(in); got != want {
			t.Errorf("selectedMode(%q) = %q, want %q", in, got, want)
		}
	}
}

// A fresh pool buffer of several huge pages is advised: the kernel lists the
// advice (the "hg" flag of VmFlags in /proc/self/smaps) on a mapping that
// holds the buffer.
func TestFreshPoolBuffersAskForHugePages(t *testing.T) {
	if HugePageMode() == "unavailable" {
		t.Skip("this kernel has no transparent huge pages")
	}
	b := pixelPool.get(8 * hugePage)
	defer pixelPool.put(b)
	mid := uintptr(unsafe.Pointer(&b[4*hugePage])) //nolint:gosec // G103: the address only, to find its mapping
	advised, err := smaps.HasFlag(mid, "hg")
	if err != nil {
		t.Fatal(err)
	}
	if !advised {
		t.Fatal("the buffer's mapping is not advised for huge pages")
	}
}
