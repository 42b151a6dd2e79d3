package converter

import (
	"testing"

	"imgcells/converter/internal/crossarch"
)

// TestKernelsOnTheOtherArchitecture runs the tests that hold the resizer's
// C loops to the plain Go arithmetic for the architecture this machine is
// not: their SSE2 and NEON forms differ, and Lambda runs the NEON one.
func TestKernelsOnTheOtherArchitecture(t *testing.T) {
	crossarch.Run(t, true, "TestResampleMatchesReference", "TestBoxMatchesReference",
		"TestTapWeightsFitSixteenBits", "TestHpassReadsNothingPastItsBuffer", "TestPlanePassMatchesReference")
}
