package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// A fresh process's peak RSS is its own: a small child of a large parent
// once reported the parent's size (the child shares the parent's memory
// until it execs, and Linux counts that peak as the child's).
func TestRunFreshPeakIsTheChilds(t *testing.T) {
	gnuTime := findTool(t, "time", "time")
	big := make([]byte, 256<<20)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	_, cpu, rss, err := runFresh(gnuTime, []string{"sh", "-c", "exit 0"}, nil)
	runtime.KeepAlive(big)
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || rss > 32<<10 {
		t.Fatalf("peak RSS of sh -c 'exit 0' = %d KB, want (0, 32 MB]: this 256 MB process's, not the child's", rss)
	}
	if cpu < 0 {
		t.Fatalf("CPU time %f ms", cpu)
	}
}

func TestRunFreshFailsWithTheCommand(t *testing.T) {
	gnuTime := findTool(t, "time", "time")
	if _, _, _, err := runFresh(gnuTime, []string{"sh", "-c", "exit 3"}, nil); err == nil {
		t.Fatal("a command that exits 3 gave no error")
	}
}

// findTool returns the path of an external program on PATH. Without it the
// test skips, or fails with IMGCELLS_REQUIRE_TOOLS=1; pkg is the Debian
// package that has it.
func findTool(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	why := fmt.Sprintf("%s not found on PATH (Debian package %s)", name, pkg)
	if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s; IMGCELLS_REQUIRE_TOOLS=1", why)
	}
	t.Skip(why)
	return ""
}
