// Command budget measures the converter against its budget, per input
// class (not a test): `go run ./bench/budget`. It writes every class of
// converter/internal/hostile, made at its worst for each pixel limit, to
// bench/out/hostile-<pixels> (with converter/cmd/hostile), then for each
// deployed budget (dev 1024 MB and 40 MP, the defaults 2048 MB and 50 MP,
// prod 3008 MB and 50 MP):
//
//  1. converts each class in a fresh process, as a cold Lambda would, and
//     reports its answer, CPU time, wall time, the cost model's prediction
//     and the process's peak RSS;
//  2. converts every class twice over in one warm process (the Lambda's
//     memory tuning on) and reports that process's peak RSS.
//
// It prints a Markdown table and a verdict per row: the answer is not a
// 5xx, the CPU time on the function's share of a core fits the conversion
// time, and the peak RSS fits the function's memory.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"imgcells/contract"
)

// stack is a deployed configuration: the converter's memory and its pixel
// limit.
type stack struct {
	name     string
	memoryMB int
	pixels   int64
}

var stacks = []stack{{"dev", 1024, 40_000_000}, {"default", 2048, 50_000_000}, {"prod", 3008, 50_000_000}}

type class struct{ name, file, variant, about string }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		os.Exit(child(os.Args[2:]))
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "budget:", err)
		os.Exit(1)
	}
}

func run() error {
	out := flag.String("out", "bench/out", "directory for the class files (hostile-<pixels>, written when missing)")
	only := flag.String("only", "", "comma-separated class names (default: all)")
	coldRuns := flag.Bool("cold", true, "run each class in a fresh process")
	warm := flag.Bool("warm", true, "also run the warm sequence")
	verbose := flag.Bool("v", false, "print every step of the warm sequence")
	baseline := flag.String("baseline", "", "an imgconvert built from an earlier tree: also run every 50 MP class through it")
	flag.Parse()
	dirs := map[int64]string{}
	var classes []class
	for _, s := range stacks {
		dir := filepath.Join(*out, fmt.Sprintf("hostile-%d", s.pixels))
		if _, ok := dirs[s.pixels]; ok {
			continue
		}
		dirs[s.pixels] = dir
		if _, err := os.Stat(filepath.Join(dir, "classes.tsv")); err != nil {
			cmd := exec.Command("go", "run", "./converter/cmd/hostile", "-out", dir, "-pixels", strconv.FormatInt(s.pixels, 10))
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("writing the classes: %w", err)
			}
		}
		var err error
		if classes, err = readClasses(filepath.Join(dir, "classes.tsv"), *only); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Println("| class | stack | answer | CPU s | wall s | model s | on Lambda s | peak RSS MB | model MB | fits |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	bad := 0
	for _, c := range classes {
		if !*coldRuns {
			break
		}
		for _, s := range stacks {
			r, rss, err := cold(self, s, filepath.Join(dirs[s.pixels], c.file), c.variant)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", c.name, s.name, err)
			}
			ok := verdict(r, rss, s)
			if !ok {
				bad++
			}
			b := contract.Budget{MemoryMB: s.memoryMB, Timeout: contract.ConverterTimeout}
			lambda := r.CPUMS / 1000 / min(1, b.CPU())
			fmt.Printf("| %s | %s | %s | %.2f | %.2f | %.2f | %.1f | %d | %d | %s |\n", c.name, s.name, r.answer(),
				r.CPUMS/1000, r.WallMS/1000, r.ModelMS/1000, lambda, rss>>20, r.ModelPeak>>20, yes(ok))
		}
	}
	if *warm {
		for _, s := range stacks {
			hwm, err := warmRun(self, s, dirs[s.pixels], classes, *verbose)
			if err != nil {
				return fmt.Errorf("warm run on %s: %w", s.name, err)
			}
			fmt.Printf("\nwarm %s (%d MB): every class twice in one process: peak RSS %d MB\n", s.name, s.memoryMB, hwm>>20)
			if hwm > int64(s.memoryMB)<<20 {
				bad++
			}
		}
	}
	if *baseline != "" {
		s := stacks[1]
		if err := before(*baseline, dirs[s.pixels], classes, s, 60*time.Second); err != nil {
			return err
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d runs did not fit their budget", bad)
	}
	return nil
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**NO**"
}

// verdict: never a 5xx; CPU time on the function's share of a core within
// the conversion time; peak RSS within the memory.
func verdict(r result, rss int64, s stack) bool {
	b := contract.Budget{MemoryMB: s.memoryMB, Timeout: contract.ConverterTimeout}
	wall := time.Duration(r.CPUMS/min(1, b.CPU())) * time.Millisecond
	return r.Status < 500 && wall <= b.ConvertTime() && rss <= int64(s.memoryMB)<<20
}

func readClasses(path, only string) ([]class, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []class
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 4 {
			return nil, fmt.Errorf("%s: bad line %q", path, sc.Text())
		}
		if only != "" && !strings.Contains(","+only+",", ","+p[0]+",") {
			continue
		}
		out = append(out, class{p[0], p[1], p[2], p[3]})
	}
	return out, sc.Err()
}

// cold converts one file in a fresh child process and returns its result
// and the child's peak RSS.
func cold(self string, s stack, file, variant string) (result, int64, error) {
	cmd := exec.Command(self, "-child", strconv.Itoa(s.memoryMB), strconv.FormatInt(s.pixels, 10), "cold", file+"\t"+variant)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, 0, err
	}
	var r result
	if err := json.Unmarshal(out, &r); err != nil {
		return result{}, 0, fmt.Errorf("child said %q: %w", out, err)
	}
	// The child's own VmHWM, not the rusage of its wait: Go starts a child
	// sharing this process's memory until it execs, and Linux then counts
	// this process's peak as the child's, so a child smaller than this
	// process would report this process's size.
	if r.HWM <= 0 {
		return r, 0, errors.New("the child reported no peak RSS")
	}
	return r, r.HWM, nil
}

// warmRun converts every class twice, in order then in reverse, in one
// child with the Lambda's memory tuning, and returns its peak RSS.
func warmRun(self string, s stack, dir string, classes []class, verbose bool) (int64, error) {
	args := []string{"-child", strconv.Itoa(s.memoryMB), strconv.FormatInt(s.pixels, 10), "warm"}
	for i := range 2 * len(classes) {
		c := classes[i%len(classes)]
		if i >= len(classes) {
			c = classes[2*len(classes)-1-i]
		}
		args = append(args, filepath.Join(dir, c.file)+"\t"+c.variant)
	}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, err
	}
	// The peak is the child's own VmHWM after its last conversion (see cold).
	var peak int64
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for i := 0; sc.Scan(); i++ {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return 0, err
		}
		peak = max(peak, r.HWM)
		if verbose {
			fmt.Fprintf(os.Stderr, "warm %s %-28s %-40.40s rss after %4d MB, peak so far %4d MB\n",
				s.name, filepath.Base(args[4+i]), r.answer(), r.RSSAfter>>20, r.HWM>>20)
		}
	}
	if peak <= 0 {
		return 0, errors.New("the child reported no peak RSS")
	}
	return peak, nil
}
