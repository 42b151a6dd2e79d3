package rie

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Report is what the emulator prints about one invocation: its REPORT line
// (the invoke's duration) and, for the invocation that initialised the
// function, the init phase's duration (its "INIT REPORT" line).
type Report struct {
	RequestID string
	Duration  time.Duration
}

// Reports parses every REPORT line in logs, in order.
func Reports(logs string) ([]Report, error) {
	var out []Report
	for line := range strings.SplitSeq(logs, "\n") {
		if !strings.HasPrefix(line, "REPORT RequestId: ") {
			continue
		}
		var r Report
		for field := range strings.SplitSeq(line, "\t") {
			name, value, ok := strings.Cut(strings.TrimSpace(field), ": ")
			if !ok {
				continue
			}
			switch name {
			case "REPORT RequestId":
				r.RequestID = value
			case "Duration":
				d, err := millis(value)
				if err != nil {
					return nil, fmt.Errorf("REPORT line %q: %w", line, err)
				}
				r.Duration = d
			}
		}
		if r.RequestID == "" || r.Duration == 0 {
			return nil, fmt.Errorf("REPORT line %q has no request id or duration", line)
		}
		out = append(out, r)
	}
	return out, nil
}

// InitDurations parses the init phases the emulator reports
// ("INIT REPORT(durationMs: 9.356000)"), in order. Its REPORT line's own
// "Init Duration" is not the init phase's.
func InitDurations(logs string) ([]time.Duration, error) {
	const marker = "INIT REPORT(durationMs: "
	var out []time.Duration
	for line := range strings.SplitSeq(logs, "\n") {
		_, rest, ok := strings.Cut(line, marker)
		if !ok {
			continue
		}
		value, _, ok := strings.Cut(rest, ")")
		if !ok {
			return nil, fmt.Errorf("INIT REPORT line %q is cut short", line)
		}
		d, err := millis(value + " ms")
		if err != nil {
			return nil, fmt.Errorf("INIT REPORT line %q: %w", line, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// millis parses "533.90 ms".
func millis(s string) (time.Duration, error) {
	n, ok := strings.CutSuffix(s, " ms")
	if !ok {
		return 0, fmt.Errorf("%q is not in milliseconds", s)
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	return time.Duration(f * float64(time.Millisecond)), nil
}

// RuntimePID is the process the emulator started for the function (the
// bootstrap, or qemu running it), or 0 before the first invoke.
func (f *Function) RuntimePID() int {
	pid := f.PID()
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		if fields := strings.Fields(string(b)); len(fields) > 0 {
			child, err := strconv.Atoi(fields[0])
			if err == nil {
				return child
			}
		}
	}
	return 0
}

// Usage is what a process has used so far, from /proc/<pid>/stat.
type Usage struct {
	MinorFaults int64         // fresh pages touched
	CPU         time.Duration // user and system time, in clock ticks (10 ms)
}

// ProcessUsage reads pid's usage.
func ProcessUsage(pid int) (Usage, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Usage{}, err
	}
	// The command name is in parentheses and may hold spaces: count fields
	// after its closing one, state being field 3 of proc(5).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return Usage{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return Usage{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var n [3]int64
	for k, field := range []int{10, 14, 15} { // minflt, utime, stime
		if n[k], err = strconv.ParseInt(f[field-3], 10, 64); err != nil {
			return Usage{}, fmt.Errorf("/proc/%d/stat field %d: %w", pid, field, err)
		}
	}
	// USER_HZ is 100 on every Linux architecture Lambda runs.
	return Usage{MinorFaults: n[0], CPU: time.Duration(n[1]+n[2]) * 10 * time.Millisecond}, nil
}
