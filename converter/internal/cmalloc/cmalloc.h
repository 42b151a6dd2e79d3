#ifndef IMGCELLS_CMALLOC_H
#define IMGCELLS_CMALLOC_H

#include <stddef.h>

/* mem_keep_freed makes glibc's allocator keep freed memory for the next
 * conversion: no mmap'ed chunks (each would be faulted in afresh), no
 * automatic trimming, one arena (cgo calls hop between threads). */
void mem_keep_freed(void);
/* mem_free_bytes is what the allocator holds free (mallinfo2's fordblks). */
size_t mem_free_bytes(void);
/* mem_trim returns the allocator's free pages to the kernel (malloc_trim:
 * every whole free page, all but keep bytes at the top of the heap). */
void mem_trim(size_t keep);
/* mem_heap_bytes is the size of the allocator's heap (mallinfo2's arena). */
size_t mem_heap_bytes(void);

#endif
