package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runFresh runs argv in a new process and returns its wall and CPU time in
// milliseconds and its peak RSS in kilobytes. The peak comes from GNU time
// (gnuTime), not from this process's wait: Go starts children sharing its
// memory until they exec, and Linux then counts this process's own peak
// as the child's, so a child that stays smaller than this process would
// report this process's size.
func runFresh(gnuTime string, argv, env []string) (ms, cpuMS float64, rssKB int64, err error) {
	dir, err := os.MkdirTemp("", "compare-rss")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "rss")
	cmd := exec.Command(gnuTime, append([]string{"-f", "%M", "-o", out}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, err
	}
	ms = float64(time.Since(t0).Microseconds()) / 1000
	// GNU time waits for the command, so its CPU time includes the command's.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpuMS = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("reading GNU time's report: %w", err)
	}
	rssKB, err = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("GNU time reported %q, not a peak RSS: %w", b, err)
	}
	return ms, cpuMS, rssKB, nil
}
