// Command goharness is the imgcells side of the benchmark: a long-running
// process that converts one file per stdin line
// "<in>\t<width>\t<quality>\t<out>[\t<format>]" (format webp unless given)
// and prints {"ms":..,"bytes":..} per line. Times cover decode, resize and
// encode of an in-memory source, as on the sharp side. Run it with
// GOMAXPROCS=1 for the single-thread figure.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"imgcells/contract"
	"imgcells/converter"
)

type reply struct {
	MS    float64 `json:"ms,omitempty"`
	CPUMS float64 `json:"cpu_ms,omitempty"` // process CPU time, all threads
	// Minor page faults taken (fresh memory pages touched).
	Faults int64 `json:"faults,omitempty"`
	Bytes  int   `json:"bytes,omitempty"`
	// Stage wall times, for finding where the time goes.
	DecodeMS float64 `json:"decode_ms,omitempty"`
	ResizeMS float64 `json:"resize_ms,omitempty"`
	EncodeMS float64 `json:"encode_ms,omitempty"`
	Error    string  `json:"error,omitempty"`
}

func main() {
	converter.KeepFreedMemory(contract.DefaultBudget()) // a long-running converter, like the Lambda
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		r, err := convert(in.Text())
		if err != nil {
			r = reply{Error: err.Error()}
		}
		if err := out.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "goharness:", err)
			os.Exit(1)
		}
	}
}

func convert(line string) (reply, error) {
	f := strings.Split(line, "\t")
	if len(f) == 4 {
		f = append(f, string(contract.FormatWebP))
	}
	if len(f) != 5 {
		return reply{}, fmt.Errorf("want 4 or 5 tab-separated fields, got %q", line)
	}
	w, err1 := strconv.Atoi(f[1])
	q, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return reply{}, fmt.Errorf("bad width or quality in %q", line)
	}
	src, err := os.ReadFile(f[0])
	if err != nil {
		return reply{}, fmt.Errorf("reading source: %w", err)
	}
	c0, f0 := cpuTime()
	t0 := time.Now()
	res, err := converter.Convert(src, contract.Variant{Format: contract.Format(f[4]), Quality: q, Width: w}, converter.DefaultLimits())
	ms := float64(time.Since(t0).Nanoseconds()) / 1e6
	c1, f1 := cpuTime()
	cpu := float64((c1 - c0).Nanoseconds()) / 1e6
	if err != nil {
		return reply{}, fmt.Errorf("converting %s: %w", f[0], err)
	}
	if err := os.WriteFile(f[3], res.Data, 0o644); err != nil {
		return reply{}, fmt.Errorf("writing output: %w", err)
	}
	t := res.Timings
	return reply{MS: ms, CPUMS: cpu, Faults: f1 - f0, Bytes: len(res.Data),
		DecodeMS: msOf(t.Decode), ResizeMS: msOf(t.Resize), EncodeMS: msOf(t.Encode)}, nil
}

// cpuTime is the process's user plus system CPU time and minor page
// faults so far.
func cpuTime() (time.Duration, int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Minflt
}

func msOf(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
