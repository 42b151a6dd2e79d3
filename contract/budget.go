package contract

import (
	"fmt"
	"time"
)

// Budget is what one converter process may spend on a request: the memory
// of the function it runs in and the time it has to answer. On Lambda both
// come from the function's configuration (its memory size, which Lambda
// passes as AWS_LAMBDA_FUNCTION_MEMORY_SIZE, and ConverterTimeout); the
// local stack and imgconvert are given one. The converter checks every
// request against it from the image headers before decoding.
type Budget struct {
	MemoryMB int           // the function's memory, all of it: runtime, libraries, pixels
	Timeout  time.Duration // the function's timeout
}

// Budget defaults and the facts it is derived from.
const (
	// DefaultConverterMemoryMB is the stack's default converter memory
	// (imgcells:converterMemoryMb).
	DefaultConverterMemoryMB = 2048
	// LambdaMBPerVCPU is the memory at which Lambda gives a function one
	// vCPU-second per second; CPU is allocated in proportion to memory
	// ("Configure Lambda function memory", AWS Lambda Developer Guide).
	LambdaMBPerVCPU = 1769
	// ResponseMargin is kept between the end of a conversion and the
	// function's timeout, for fetching the original, storing the variant
	// and answering: a conversion stopped at its deadline still gets its
	// 4xx out before Lambda kills the invocation.
	ResponseMargin = 4 * time.Second
	// ReservedMB is the memory no conversion may count on: the process
	// itself (Go runtime, AWS SDK, code), what a warm converter keeps between
	// requests (pooled pixel buffers and the C allocator's free lists, both
	// bounded by the converter) and slack for the GC.
	ReservedMB = 160
)

// DefaultBudget is the budget of a converter with the stack's default memory.
func DefaultBudget() Budget {
	return Budget{MemoryMB: DefaultConverterMemoryMB, Timeout: ConverterTimeout}
}

// Validate checks that the budget can hold a conversion at all.
func (b Budget) Validate() error {
	if b.MemoryMB <= ReservedMB {
		return fmt.Errorf("converter memory %d MB: more than %d MB is needed", b.MemoryMB, ReservedMB)
	}
	if b.Timeout <= ResponseMargin {
		return fmt.Errorf("converter timeout %v: more than %v is needed", b.Timeout, ResponseMargin)
	}
	return nil
}

// CPU is the share of one core the function gets, in vCPUs: below one, a
// single-threaded stage runs that much slower than on a whole core.
func (b Budget) CPU() float64 { return float64(b.MemoryMB) / LambdaMBPerVCPU }

// ConvertTime is how long a conversion may run before it is stopped: the
// timeout less the margin to fetch, store and answer.
func (b Budget) ConvertTime() time.Duration { return b.Timeout - ResponseMargin }

// WorkingBytes is the memory one conversion may use at its peak: the
// function's memory less the reserve, less a tenth for what the model does
// not see (allocator rounding, fragmentation).
func (b Budget) WorkingBytes() int64 {
	return (int64(b.MemoryMB)*9/10 - ReservedMB) << 20
}

// OrdinaryPeakBytesPerPixel is the peak memory, per source pixel, of an
// ordinary photograph's costliest conversion: an 8-bit JPEG at the pixel
// limit asked at full size as WebP (bench/budget measured 11.5 at 40 MP,
// 10 at 50 MP, the process included). The stack configuration keeps
// imgcells:maxSourcePixels within WorkingBytes at this rate, so such images
// are never refused for want of memory; rarer paths (16-bit PNG, a GIF's
// canvas, progressive 4:4:4) are checked per request.
const OrdinaryPeakBytesPerPixel = 12

// MaxOrdinaryPixels is the largest pixel limit the budget's memory holds at
// OrdinaryPeakBytesPerPixel.
func (b Budget) MaxOrdinaryPixels() int64 {
	return max(b.WorkingBytes()/OrdinaryPeakBytesPerPixel, 0)
}
