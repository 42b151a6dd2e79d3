package jpegturbo

/*
#include <stddef.h>
#include <stdlib.h>
// libjpeg's allocator for large objects (jmemnobs.c, patched: see
// patches/huge-pages.patch); cinfo is unused there.
void *jpeg_get_large(void *cinfo, size_t sizeofobject);
void jpeg_free_large(void *cinfo, void *object, size_t sizeofobject);
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

// cAlloc allocates n bytes with malloc, for the tests; free releases them.
func cAlloc(n int) (free func()) {
	p := C.malloc(C.size_t(n))
	return func() { C.free(p) }
}
