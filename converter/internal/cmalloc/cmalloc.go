// Package cmalloc tunes and reads the C allocator (glibc's malloc) that
// the converter's C libraries share: a warm converter keeps freed memory
// for the next conversion and trims what is over its bound
// (converter/memory.go).
package cmalloc

/*
#include "cmalloc.h"
*/
import "C"

// KeepFreed makes malloc keep freed memory for the next conversion: no
// mmap'ed chunks (each would be faulted in afresh), no automatic trimming,
// one arena (cgo calls hop between threads). It lasts for the process.
func KeepFreed() { C.mem_keep_freed() }

// FreeBytes is what malloc holds free.
func FreeBytes() int64 { return int64(C.mem_free_bytes()) }

// Trim returns malloc's free pages to the kernel: every whole free page,
// all but keep bytes at the top of the heap.
func Trim(keep int64) { C.mem_trim(C.size_t(keep)) }

// HeapBytes is the size of malloc's heap.
func HeapBytes() int64 { return int64(C.mem_heap_bytes()) }
