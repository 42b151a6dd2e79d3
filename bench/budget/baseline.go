package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// before runs each class through an older imgconvert (the baseline, built
// from an earlier tree) in a fresh process at the default limits and prints
// its answer, CPU time and peak RSS beside this tree's, for the record of
// what the budget changed. A run is stopped after limit.
func before(bin, dir string, classes []class, s stack, limit time.Duration) error {
	fmt.Printf("\n| class (%d MP) | before: answer | CPU s | peak RSS MB |\n|---|---|---|---|\n", s.pixels/1_000_000)
	for _, c := range classes {
		cmd := exec.Command("timeout", fmt.Sprintf("%.0f", limit.Seconds()), bin, "-in", filepath.Join(dir, c.file),
			"-variant", c.variant, "-max-pixels", strconv.FormatInt(s.pixels, 10))
		out, err := cmd.CombinedOutput()
		answer := strings.TrimSpace(string(out))
		var r struct {
			Format        string
			Width, Height int
		}
		if i := strings.Index(answer, "imgconvert: "); i >= 0 {
			answer = strings.TrimPrefix(answer[i:], "imgconvert: ")
		} else if err == nil && json.Unmarshal(out, &r) == nil {
			answer = fmt.Sprintf("200 %dx%d %s", r.Width, r.Height, r.Format)
		}
		if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.ExitCode() == 124 {
			answer = fmt.Sprintf("still running after %v", limit)
		}
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			return fmt.Errorf("no rusage for %s", c.name)
		}
		// timeout(1) waits for its child: its children's usage is the run's.
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		fmt.Printf("| %s | %s | %.2f | %d |\n", c.name, firstLine(answer), cpu, ru.Maxrss>>10)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 90 {
		s = s[:90] + "…"
	}
	return s
}
