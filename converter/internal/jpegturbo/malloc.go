package jpegturbo

/*
#include <malloc.h>

// Keep freed C memory in the process instead of returning it to the kernel:
// a progressive JPEG needs its whole coefficient buffer (tens of MB), and
// taking fresh pages for it on every request costs more than the decode
// itself on a virtual machine (each page is zeroed and faulted in).
static void jt_keep_freed_memory(void) {
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_ARENA_MAX, 1); // cgo calls hop between threads: use one arena
}
*/
import "C"

// KeepFreedMemory makes the C allocator keep freed memory in the process,
// for long-running converters (a warm Lambda, the local stack): the decode
// buffers of one request are reused by the next instead of being faulted in
// afresh. Resident memory then stays near the largest request's peak, so a
// one-shot command should not call it.
func KeepFreedMemory() { C.jt_keep_freed_memory() }
