package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// percentile is the nearest-rank p-th percentile of d.
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(i-1, 0)]
}

// pairedRatio is the median over rounds of a[i]/b[i]: the two sides of a
// round ran back to back, so a slow spell of the machine falls on both and
// cancels in their ratio, where it moves a ratio of two medians.
func pairedRatio(a, b []time.Duration) float64 {
	n := min(len(a), len(b))
	if n == 0 {
		return 0
	}
	q := make([]float64, 0, n)
	for i := range n {
		q = append(q, float64(a[i])/float64(b[i]))
	}
	slices.Sort(q)
	if n%2 == 1 {
		return q[n/2]
	}
	return (q[n/2-1] + q[n/2]) / 2
}

func minOf(d []time.Duration) time.Duration { return slices.Min(d) }
func maxOf(d []time.Duration) time.Duration { return slices.Max(d) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func isImage(name string) bool {
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".gif", ".webp"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return true
		}
	}
	return false
}

// printRSS reports the peak resident memory (VmHWM) of this process (edge,
// caches, converters) and of the S3 server process.
func printRSS(s3PID int) {
	fmt.Printf("\npeak RSS: stack process %s", vmHWM("self"))
	if s3PID > 0 {
		fmt.Printf(", S3 server (versitygw) %s", vmHWM(strconv.Itoa(s3PID)))
	}
	fmt.Println()
}

func vmHWM(pid string) string {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				return strings.TrimSpace(v)
			}
			return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
		}
	}
	return "unknown"
}
