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

// In a long-running converter (a warm Lambda, the local stack) the decode
// buffers of one request are reused by the next. Peak memory is unchanged.
func init() { C.jt_keep_freed_memory() }
