package contract

import (
	"testing"
	"time"
)

// The deployed stacks' budgets hold their pixel limits: dev (1024 MB,
// 40 MP), prod (3008 MB, the default 50 MP) and the defaults.
func TestBudgetHoldsTheDeployedLimits(t *testing.T) {
	for _, c := range []struct {
		mb     int
		pixels int64
	}{{1024, 40_000_000}, {3008, DefaultMaxSourcePixels}, {DefaultConverterMemoryMB, DefaultMaxSourcePixels}} {
		b := Budget{MemoryMB: c.mb, Timeout: ConverterTimeout}
		if err := b.Validate(); err != nil {
			t.Fatalf("%d MB: %v", c.mb, err)
		}
		if got := b.MaxOrdinaryPixels(); got < c.pixels {
			t.Errorf("%d MB holds %d ordinary pixels, fewer than the %d the stack allows", c.mb, got, c.pixels)
		}
	}
}

func TestBudgetDerivations(t *testing.T) {
	b := Budget{MemoryMB: LambdaMBPerVCPU, Timeout: 25 * time.Second}
	if b.CPU() != 1 {
		t.Errorf("CPU at %d MB = %v, want one vCPU", LambdaMBPerVCPU, b.CPU())
	}
	if got := b.ConvertTime(); got != 25*time.Second-ResponseMargin || got <= 0 {
		t.Errorf("ConvertTime %v", got)
	}
	if ConverterTimeout+time.Second > APIGatewayTimeout {
		t.Errorf("the converter's timeout %v leaves API Gateway's %v no room", ConverterTimeout, APIGatewayTimeout)
	}
	small := Budget{MemoryMB: 512, Timeout: 25 * time.Second}
	if small.WorkingBytes() >= b.WorkingBytes() || small.MaxOrdinaryPixels() >= b.MaxOrdinaryPixels() {
		t.Error("less memory does not mean a smaller working set")
	}
	for _, bad := range []Budget{{MemoryMB: ReservedMB, Timeout: time.Minute}, {MemoryMB: 1024, Timeout: ResponseMargin}, {}} {
		if bad.Validate() == nil {
			t.Errorf("%+v validates", bad)
		}
	}
}
