// Command goharness is the imgcells side of the benchmark: a long-running
// process that converts one file per stdin line "<in>\t<width>\t<quality>\t<out>"
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
	"time"

	"imgcells/converter"
)

type reply struct {
	MS    float64 `json:"ms,omitempty"`
	Bytes int     `json:"bytes,omitempty"`
	Error string  `json:"error,omitempty"`
}

func main() {
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
	if len(f) != 4 {
		return reply{}, fmt.Errorf("want 4 tab-separated fields, got %q", line)
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
	t0 := time.Now()
	res, err := converter.Convert(src, converter.Variant{Format: converter.FormatWebP, Quality: q, Width: w}, converter.DefaultLimits())
	ms := float64(time.Since(t0).Nanoseconds()) / 1e6
	if err != nil {
		return reply{}, fmt.Errorf("converting %s: %w", f[0], err)
	}
	if err := os.WriteFile(f[3], res.Data, 0o644); err != nil {
		return reply{}, fmt.Errorf("writing output: %w", err)
	}
	return reply{MS: ms, Bytes: len(res.Data)}, nil
}
