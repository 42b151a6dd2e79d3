package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// harness is a long-running converter fed one line per conversion.
type harness struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
}

type reply struct {
	MS    float64 `json:"ms"`
	CPUMS float64 `json:"cpu_ms"`
	// Stage times (imgcells only).
	DecodeMS float64 `json:"decode_ms"`
	ResizeMS float64 `json:"resize_ms"`
	EncodeMS float64 `json:"encode_ms"`
	Bytes    int     `json:"bytes"`
	Error    string  `json:"error"`
}

func startHarness(name string, env []string, argv ...string) (*harness, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s harness: %w", name, err)
	}
	return &harness{name: name, cmd: cmd, in: in, out: bufio.NewScanner(out)}, nil
}

func (h *harness) convert(img string, w, q int, out string) (reply, error) {
	if _, err := fmt.Fprintf(h.in, "%s\t%d\t%d\t%s\n", img, w, q, out); err != nil {
		return reply{}, fmt.Errorf("%s harness: %w", h.name, err)
	}
	if !h.out.Scan() {
		return reply{}, fmt.Errorf("%s harness exited", h.name)
	}
	var r reply
	if err := json.Unmarshal(h.out.Bytes(), &r); err != nil {
		return r, fmt.Errorf("%s harness said %q: %w", h.name, h.out.Text(), err)
	}
	if r.Error != "" {
		return r, fmt.Errorf("%s harness: %s", h.name, r.Error)
	}
	return r, nil
}

// stop closes the harness's input, which tells it to exit, and waits for it.
// It runs deferred, so it reports a failure rather than returning it.
func (h *harness) stop() {
	if err := errors.Join(h.in.Close(), h.cmd.Wait()); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the %s harness: %v\n", h.name, err)
	}
}

// key identifies one image at one width.
type key struct {
	img string
	w   int
}

// sample is what one producer did for one key.
type sample struct {
	ms    []float64
	cpu   []float64
	bytes int
	rssKB int64
}

type results map[key]map[string]*sample

func (r results) add(k key, who string, ms, cpu float64, bytes int, rss int64) {
	if r[k] == nil {
		r[k] = map[string]*sample{}
	}
	s := r[k][who]
	if s == nil {
		s = &sample{}
		r[k][who] = s
	}
	s.ms = append(s.ms, ms)
	s.cpu = append(s.cpu, cpu)
	s.bytes = bytes
	s.rssKB = max(s.rssKB, rss)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// warmRuns feeds both harnesses the same conversions, alternating which
// goes first, after one untimed warm-up pass.
func warmRuns(c config) (results, error) {
	goH, err := startHarness("imgcells", []string{"GOMAXPROCS=1"}, c.goHarness)
	if err != nil {
		return nil, err
	}
	defer goH.stop()
	shH, err := startHarness("sharp", []string{"UV_THREADPOOL_SIZE=1"}, c.node, c.sharpHarness, "serve")
	if err != nil {
		return nil, err
	}
	defer shH.stop()
	res := results{}
	for round := -1; round < c.rounds; round++ {
		for _, img := range c.images {
			for _, w := range c.widths {
				order := []*harness{goH, shH}
				if round%2 != 0 {
					order = []*harness{shH, goH}
				}
				for _, h := range order {
					r, err := h.convert(img, w, c.quality, c.outPath(img, w, h.name, "webp"))
					if err != nil {
						return nil, err
					}
					if round >= 0 {
						res.add(key{img, w}, h.name, r.MS, r.CPUMS, r.Bytes, 0)
						if c.verbose {
							fmt.Printf("  %-8s %5d %-45s %7.1f ms (cpu %7.1f; decode %.1f resize %.1f encode %.1f)\n",
								h.name, w, filepath.Base(img), r.MS, r.CPUMS, r.DecodeMS, r.ResizeMS, r.EncodeMS)
						}
					}
				}
			}
		}
		if round >= 0 {
			fmt.Printf("warm round %d/%d done\n", round+1, c.rounds)
		}
	}
	return res, nil
}

// coldRuns starts a fresh process per conversion: the Lambda cold path.
// Wall time covers process start to exit; peak RSS comes from rusage.
func coldRuns(c config) (results, error) {
	res := results{}
	for i := range c.coldRuns {
		for _, img := range c.images {
			for _, w := range c.widths {
				runs := []struct {
					who  string
					env  []string
					argv []string
				}{
					{"imgcells", []string{"GOMAXPROCS=1"}, []string{c.imgconv, "-in", img, "-variant",
						fmt.Sprintf("format=webp,quality=%d,width=%d", c.quality, w), "-out", c.outPath(img, w, "imgcells-cold", "webp")}},
					{"sharp", []string{"UV_THREADPOOL_SIZE=1"}, []string{c.node, c.sharpHarness, "once", img,
						strconv.Itoa(w), strconv.Itoa(c.quality), c.outPath(img, w, "sharp-cold", "webp")}},
				}
				if i%2 == 1 {
					runs[0], runs[1] = runs[1], runs[0]
				}
				for _, r := range runs {
					cmd := exec.Command(r.argv[0], r.argv[1:]...)
					cmd.Env = append(os.Environ(), r.env...)
					cmd.Stderr = os.Stderr
					t0 := time.Now()
					if err := cmd.Run(); err != nil {
						return nil, fmt.Errorf("cold %s on %s: %w", r.who, img, err)
					}
					ms := float64(time.Since(t0).Microseconds()) / 1000
					ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
					var rss int64
					var cpu float64
					if ru != nil {
						rss = ru.Maxrss // kilobytes on Linux
						cpu = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
					}
					res.add(key{img, w}, r.who, ms, cpu, 0, rss)
				}
			}
		}
		fmt.Printf("cold pass %d/%d done\n", i+1, c.coldRuns)
	}
	return res, nil
}
