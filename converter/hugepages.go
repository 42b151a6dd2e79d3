package converter

import (
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// hugePage is the transparent huge page size of Linux on amd64 and arm64
// with 4 KB pages (Lambda's); on other page sizes the advice is harmless.
const hugePage = 2 << 20

// adviseHugePages asks the kernel to back the 2 MB-aligned interior of a
// fresh buffer with transparent huge pages (madvise MADV_HUGEPAGE) before
// anything touches it. Where the kernel grants them only on request
// (transparent_hugepage "madvise", Debian's and most distributions'
// default), a cold process then takes one fault per 2 MB instead of 512,
// and on a virtual machine a fault costs microseconds: for a decoded 12 MP
// photo that is thousands of faults. Where they are off, or always on, the
// call changes nothing; an error is ignored for the same reason.
func adviseHugePages(b []byte) {
	b = b[:cap(b)]
	if len(b) < 2*hugePage {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b))) //nolint:gosec // G103: the address only, to align the advice
	lo := (p+hugePage-1)&^(hugePage-1) - p
	hi := (p+uintptr(len(b)))&^(hugePage-1) - p
	if hi <= lo {
		return
	}
	_ = syscall.Madvise(b[lo:hi:hi], syscall.MADV_HUGEPAGE)
}

// HugePageMode is the kernel's transparent huge page mode ("always",
// "madvise" or "never"), or "unavailable" when the kernel does not say:
// the bootstrap logs it at init, so whether a function's kernel grants the
// huge pages asked for can be read from its logs.
func HugePageMode() string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return "unavailable"
	}
	return selectedMode(string(b))
}

// selectedMode picks the bracketed choice of a sysfs list such as
// "always [madvise] never".
func selectedMode(s string) string {
	i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']')
	if i < 0 || j < i {
		return "unavailable"
	}
	return s[i+1 : j]
}
