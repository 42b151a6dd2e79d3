package main

import (
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

// result is one conversion as the child saw it.
type result struct {
	Status    int     `json:"status"`
	Reason    string  `json:"reason,omitempty"`
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	Format    string  `json:"format,omitempty"`
	WallMS    float64 `json:"wall_ms"`
	CPUMS     float64 `json:"cpu_ms"`
	ModelMS   float64 `json:"model_ms"`
	ModelPeak int64   `json:"model_peak"`
	RSSAfter  int64   `json:"rss_after"` // resident memory once the conversion has returned
	HWM       int64   `json:"hwm"`       // the process's peak resident memory so far
}

func (r result) answer() string {
	if r.Status != 200 {
		return fmt.Sprintf("%d %s", r.Status, r.Reason)
	}
	return fmt.Sprintf("200 %dx%d %s", r.Width, r.Height, r.Format)
}

// child converts each "file\tvariant" argument in turn within the budget of
// memoryMB and the pixel limit, printing one JSON result per conversion.
// In warm mode the converter keeps freed memory, as the Lambda does.
func child(args []string) int {
	if len(args) < 4 {
		fmt.Fprintln(os.Stderr, "budget -child MB PIXELS cold|warm FILE\\tVARIANT...")
		return 2
	}
	mb, err1 := strconv.Atoi(args[0])
	px, err2 := strconv.ParseInt(args[1], 10, 64)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "budget: bad memory or pixel limit")
		return 2
	}
	lim := converter.Limits{MaxSourceBytes: contract.DefaultMaxSourceBytes, MaxSourcePixels: px,
		Budget: contract.Budget{MemoryMB: mb, Timeout: contract.ConverterTimeout}}
	if args[2] == "warm" {
		converter.KeepFreedMemory(lim.Budget)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, job := range args[3:] {
		file, ops, _ := strings.Cut(job, "\t")
		r, err := convert(file, ops, lim)
		if err != nil {
			fmt.Fprintln(os.Stderr, "budget:", err)
			return 1
		}
		if err := enc.Encode(r); err != nil {
			return 1
		}
	}
	return 0
}

func convert(file, ops string, lim converter.Limits) (result, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return result{}, err
	}
	v, err := contract.ParseOps(ops)
	if err != nil {
		return result{}, err
	}
	var r result
	if p, err := converter.Predict(src, v, lim); err == nil {
		r.ModelMS = float64((p.Decode + p.Resize + p.Encode).Microseconds()) / 1000
		r.ModelPeak = p.PeakBytes
	}
	c0, t0 := cpu(), time.Now()
	res, err := converter.Convert(src, v, lim)
	r.WallMS = float64(time.Since(t0).Microseconds()) / 1000
	r.CPUMS = float64((cpu() - c0).Microseconds()) / 1000
	r.Status, r.Reason = contract.StatusOf(err)
	if err == nil {
		r.Width, r.Height, r.Format = res.Width, res.Height, string(res.Format)
	}
	r.RSSAfter, r.HWM = memory()
	return r, nil
}

// memory is the process's resident and peak resident memory, in bytes,
// from /proc/self/status.
func memory() (rss, hwm int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	return rss, hwm
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
