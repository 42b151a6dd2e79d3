package jpegturbo

/*
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>
// libjpeg's allocator for large objects (jmemnobs.c, patched: see
// patches/huge-pages.patch); cinfo is unused there.
void *jpeg_get_large(void *cinfo, size_t sizeofobject);
void jpeg_free_large(void *cinfo, void *object, size_t sizeofobject);

// What a warm converter tells malloc (converter/memory.c): keep freed
// memory in one heap for the next conversion.
static void large_keep_freed(void) {
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_ARENA_MAX, 1);
}
static size_t large_heap_bytes(void) { return mallinfo2().arena; }
*/
import "C"

// largeAlloc allocates n bytes the way libjpeg allocates a large object (a
// progressive JPEG's coefficients), for the tests to see where it lands and
// what the kernel was told about it. free releases it.
func largeAlloc(n int) (p uintptr, free func()) {
	ptr := C.jpeg_get_large(nil, C.size_t(n))
	if ptr == nil {
		return 0, func() {}
	}
	return uintptr(ptr), func() { C.jpeg_free_large(nil, ptr, C.size_t(n)) }
}

// keepFreedHeap makes malloc behave as in a warm converter, and
// heapBytes says how large its heap has grown; cAlloc allocates n bytes
// of it. For the tests.
func keepFreedHeap()   { C.large_keep_freed() }
func heapBytes() int64 { return int64(C.large_heap_bytes()) }
func cAlloc(n int) (free func()) {
	p := C.malloc(C.size_t(n))
	return func() { C.free(p) }
}
