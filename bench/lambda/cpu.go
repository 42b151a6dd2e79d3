package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cpuLimiter is a cgroup with a CFS bandwidth quota: its processes get at
// most quota/period of CPU time across all CPUs, as a Lambda gets its
// memory's share of a vCPU while seeing two. cgroup v2's cpu.max where the
// cpu controller is on the unified hierarchy, else cgroup v1's
// cpu.cfs_quota_us.
type cpuLimiter struct {
	dir string
	v2  bool
}

// cfsPeriodUS is the accounting period: the kernel's default, 100 ms.
// Lambda does not document its own.
const cfsPeriodUS = 100_000

func newCPULimiter() (*cpuLimiter, error) {
	name := fmt.Sprintf("imgcells-bench-lambda-%d", os.Getpid())
	if c, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err == nil && hasWord(string(c), "cpu") {
		l := &cpuLimiter{dir: filepath.Join("/sys/fs/cgroup", name), v2: true}
		// The controller must be on for the root's children.
		_ = os.WriteFile("/sys/fs/cgroup/cgroup.subtree_control", []byte("+cpu"), 0o644)
		return l, l.make()
	}
	if _, err := os.Stat("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"); err == nil {
		l := &cpuLimiter{dir: filepath.Join("/sys/fs/cgroup/cpu", name)}
		return l, l.make()
	}
	return nil, errors.New("no cgroup cpu controller (neither v2 cpu.max nor v1 cpu.cfs_quota_us) under /sys/fs/cgroup")
}

func hasWord(s, w string) bool {
	return slices.Contains(strings.Fields(s), w)
}

func (l *cpuLimiter) make() error {
	if err := os.Mkdir(l.dir, 0o755); err != nil {
		return fmt.Errorf("creating cgroup (needs root and a writable cgroup filesystem): %w", err)
	}
	return nil
}

// hold limits the cgroup to share CPUs and moves pid into it; children pid
// starts later inherit it.
func (l *cpuLimiter) hold(pid int, share float64) error {
	quota := int(share * cfsPeriodUS)
	var err error
	if l.v2 {
		err = l.write("cpu.max", fmt.Sprintf("%d %d", quota, cfsPeriodUS))
	} else {
		err = errors.Join(l.write("cpu.cfs_period_us", strconv.Itoa(cfsPeriodUS)), l.write("cpu.cfs_quota_us", strconv.Itoa(quota)))
	}
	if err != nil {
		return err
	}
	return l.write("cgroup.procs", strconv.Itoa(pid))
}

// release lifts the quota (the processes held have exited or will).
func (l *cpuLimiter) release() {
	if l.v2 {
		_ = l.write("cpu.max", "max")
	} else {
		_ = l.write("cpu.cfs_quota_us", "-1")
	}
}

func (l *cpuLimiter) write(file, value string) error {
	if err := os.WriteFile(filepath.Join(l.dir, file), []byte(value), 0o644); err != nil {
		return fmt.Errorf("cgroup %s: %w", file, err)
	}
	return nil
}

// close removes the cgroup (empty once every emulator has stopped).
func (l *cpuLimiter) close() {
	for range 50 { // a bootstrap killed with its emulator may take a moment to exit
		if os.Remove(l.dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "lambda: could not remove cgroup %s\n", l.dir)
}
