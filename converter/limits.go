package converter

import (
	"imgcells/contract"
	"imgcells/converter/internal/jpegturbo"
)

// Limits bound the work one conversion may do. They are checked before any
// pixel is decoded, so a hostile header cannot make the converter allocate.
type Limits struct {
	MaxSourceBytes  int64 // refuse larger sources: 413
	MaxSourcePixels int64 // width*height read from the header before decoding: 413
}

// DefaultLimits are the contract's defaults, the same the stack deploys when
// its configuration names none.
func DefaultLimits() Limits {
	return Limits{
		MaxSourceBytes:  contract.DefaultMaxSourceBytes,
		MaxSourcePixels: contract.DefaultMaxSourcePixels,
	}
}

// check refuses a source whose size or header dimensions exceed the limits.
// Zero or negative limits mean no limit.
func (l Limits) checkBytes(n int) error {
	if l.MaxSourceBytes > 0 && int64(n) > l.MaxSourceBytes {
		return contract.TooLarge("source is %d bytes, more than the limit of %d", n, l.MaxSourceBytes)
	}
	return nil
}

func (l Limits) checkPixels(w, h int) error {
	if w <= 0 || h <= 0 {
		return contract.Corrupt(nil, "image header has no dimensions")
	}
	px := int64(w) * int64(h)
	if l.MaxSourcePixels > 0 && px > l.MaxSourcePixels {
		return contract.TooLarge("source is %dx%d, more than the limit of %d pixels", w, h, l.MaxSourcePixels)
	}
	return nil
}

// KeepFreedMemory tunes the process for many conversions in a row: call it
// once at start in long-running converters (the Lambda's main, the local
// stack). The C allocator then keeps freed decoder memory (a progressive
// JPEG's coefficient buffer is tens of MB) for the next request instead of
// returning it to the kernel, which saves ~10k page faults per request;
// resident memory stays near the largest conversion's peak.
func KeepFreedMemory() { jpegturbo.KeepFreedMemory() }
