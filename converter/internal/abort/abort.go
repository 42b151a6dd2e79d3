// Package abort lets C code stop when a Go context ends. A Flag is a
// pinned Go int32 that is set, from a context.AfterFunc, when the context is
// done; the C decoders and encoders read it at their progress points (each
// row group, each scan) and give up through their own error paths. It
// costs an atomic load per check, and no clock reads in C.
package abort

import (
	"context"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Flag is a context's done state, readable from C.
type Flag struct {
	v    *int32
	pin  runtime.Pinner
	stop func() bool
}

// Watch returns a flag that is set once ctx is done. Release it when the C
// call has returned.
func Watch(ctx context.Context) *Flag {
	f := &Flag{v: new(int32)}
	f.pin.Pin(f.v)
	if ctx.Err() != nil {
		atomic.StoreInt32(f.v, 1)
	}
	v := f.v
	f.stop = context.AfterFunc(ctx, func() { atomic.StoreInt32(v, 1) })
	return f
}

// Ptr is the flag's address, for the C side (an int32_t read with
// __atomic_load_n). It stays valid until Release.
func (f *Flag) Ptr() unsafe.Pointer {
	return unsafe.Pointer(f.v) //nolint:gosec // G103: the address of a pinned int32, for C code to read
}

// Set reports whether the context ended.
func (f *Flag) Set() bool { return atomic.LoadInt32(f.v) != 0 }

// Release stops watching and unpins the flag. A late store from the
// context's callback lands in Go memory nothing reads any more.
func (f *Flag) Release() {
	f.stop()
	f.pin.Unpin()
}
