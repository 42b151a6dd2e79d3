// Package crossarch runs some of a package's tests for the architecture
// this machine is not (arm64 on amd64, as Lambda runs; amd64 on arm64):
// the package's tests cross-built with cgo and run under qemu-user-static.
// For code with a form per architecture (SSE2 and NEON). Tests alone
// import it.
package crossarch

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"imgcells/converter/store/storetest"
)

// childEnv marks the cross-built binary, whose own cross test must not run
// again.
const childEnv = "IMGCELLS_CROSS_CHILD"

// Run cross-builds the tests of the package in the working directory (the
// calling test's) and runs the named tests under qemu; each must pass there,
// not skip. static links the binary statically (a package that opens no
// shared library); otherwise it runs with the other architecture's
// libraries as Debian's multiarch installs them. Without the cross compiler
// or qemu it skips, or fails with IMGCELLS_REQUIRE_TOOLS=1.
func Run(t *testing.T, static bool, tests ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("cross-builds the package's tests")
	}
	if os.Getenv(childEnv) != "" {
		t.Skip("already the cross-built binary")
	}
	arch, cc, qemuName := "arm64", "aarch64-linux-gnu-gcc", "qemu-aarch64-static"
	if runtime.GOARCH == "arm64" {
		arch, cc, qemuName = "amd64", "x86_64-linux-gnu-gcc", "qemu-x86_64-static"
	}
	if _, err := exec.LookPath(cc); err != nil {
		storetest.SkipOrFail(t, cc+" not on PATH (scripts/deps.sh test installs the cross compiler and the "+arch+" C libraries)")
	}
	qemu, err := exec.LookPath(qemuName)
	if err != nil {
		storetest.SkipOrFail(t, qemuName+" not on PATH (apt-get install qemu-user-static)")
	}
	bin := filepath.Join(t.TempDir(), "tests."+arch)
	args := []string{"test", "-c", "-vet=off", "-o", bin}
	if static {
		args = append(args, "-ldflags", "-linkmode external -extldflags -static")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=1", "CC="+cc)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross-building the tests for %s: %v\n%s", arch, err, out)
	}
	run := exec.Command(qemu, bin, "-test.run", "^("+strings.Join(tests, "|")+")$", "-test.v", "-test.count=1")
	run.Env = append(os.Environ(), childEnv+"=1")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("the tests on %s: %v\n%s", arch, err, out)
	}
	for _, name := range tests {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass on %s:\n%s", name, arch, out)
		}
	}
}
