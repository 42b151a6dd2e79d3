package converter

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"imgcells/converter/store/storetest"
)

// kernelTests are the tests that hold the resizer's C loops to the plain Go
// arithmetic. Their SSE2 and NEON forms differ, and Lambda runs the NEON one.
const kernelTests = "^(TestResampleMatchesReference|TestBoxMatchesReference|TestTapWeightsFitSixteenBits|TestHpassReadsNothingPastItsBuffer)$"

// TestKernelsOnTheOtherArchitecture cross-builds this package's tests for
// the architecture this machine is not (arm64 on amd64, as Lambda runs) and
// runs the kernel tests under qemu-user-static.
func TestKernelsOnTheOtherArchitecture(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the package's tests")
	}
	if os.Getenv("IMGCELLS_KERNEL_CHILD") != "" {
		t.Skip("already the cross-built binary")
	}
	arch, cc, qemuName := "arm64", "aarch64-linux-gnu-gcc", "qemu-aarch64-static"
	if runtime.GOARCH == "arm64" {
		arch, cc, qemuName = "amd64", "x86_64-linux-gnu-gcc", "qemu-x86_64-static"
	}
	if _, err := exec.LookPath(cc); err != nil {
		storetest.SkipOrFail(t, cc+" not on PATH (scripts/deps.sh installs the cross compiler and the "+arch+" C libraries)")
	}
	qemu, err := exec.LookPath(qemuName)
	if err != nil {
		storetest.SkipOrFail(t, qemuName+" not on PATH (apt-get install qemu-user-static)")
	}
	bin := filepath.Join(t.TempDir(), "converter."+arch+".test")
	build := exec.Command("go", "test", "-c", "-vet=off", "-o", bin, "-ldflags", "-linkmode external -extldflags -static", ".")
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=1", "CC="+cc)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross-building the tests for %s: %v\n%s", arch, err, out)
	}
	run := exec.Command(qemu, bin, "-test.run", kernelTests, "-test.v", "-test.count=1")
	run.Env = append(os.Environ(), "IMGCELLS_KERNEL_CHILD=1")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("the kernel tests on %s: %v\n%s", arch, err, out)
	}
	// Each kernel test must have run and passed there, not been skipped.
	for name := range strings.SplitSeq(strings.Trim(kernelTests, "^()$"), "|") {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass on %s:\n%s", name, arch, out)
		}
	}
}
