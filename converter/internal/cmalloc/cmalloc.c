#include <malloc.h>

#include "cmalloc.h"

void mem_keep_freed(void) {
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_ARENA_MAX, 1);
}

size_t mem_free_bytes(void) { return mallinfo2().fordblks; }

void mem_trim(size_t keep) { malloc_trim(keep); }

size_t mem_heap_bytes(void) { return mallinfo2().arena; }
