// Command lambda measures the converter Lambda as Lambda runs it (not a
// test): `go run ./bench/lambda`. It builds the real static bootstrap for
// amd64 and arm64 (converter/lambdazip), starts versitygw on loopback with a
// 12 MP photograph in the source buckets, and runs each bootstrap under
// aws-lambda-rie, the arm64 one under qemu-user-static (emulated: compare
// it only with itself). Each round starts a fresh emulator (a new execution
// environment) and invokes it once cold and -warm times warm, deleting the
// variant before each invoke so every one converts and stores.
//
// It prints, per architecture and format, the init phase's duration, the
// first invoke's and the warm invokes' (the emulator's REPORT lines), the
// minor page faults each took, and first / warm. Then, on the amd64
// bootstrap, the same at the CPU share a Lambda of each -memory size gets
// (1769 MB is one vCPU; two vCPUs are visible up to 3008 MB), simulated
// with a CFS quota on a cgroup holding the emulator and the bootstrap.
// Rounds interleave every configuration, so each sees the same machine
// load; compare ratios within one run.
package main

import (
	"context"
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
	"imgcells/converter/lambdazip"
	"imgcells/converter/lambdazip/rie"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "lambda:", err)
		os.Exit(1)
	}
}

type options struct {
	image    string
	width    int
	formats  []contract.Format
	archs    []string
	rounds   int
	warm     int
	memories []int
	verbose  bool
}

func run() error {
	var o options
	var formats, archs, memories string
	flag.StringVar(&o.image, "image", "bench/out/photos/sunset_by_Aitzol_Berasategi.jpg", "the original (a 12 MP JPEG; bench/run.sh fetches it)")
	flag.IntVar(&o.width, "width", 1280, "requested width")
	flag.StringVar(&formats, "formats", "webp", "output formats, comma-separated (webp, avif, jpeg, png)")
	flag.StringVar(&archs, "arch", "amd64,arm64", "architectures, comma-separated")
	flag.IntVar(&o.rounds, "rounds", 3, "fresh execution environments per configuration")
	flag.IntVar(&o.warm, "warm", 5, "warm invokes per environment")
	flag.StringVar(&memories, "memory", "1024,2048,3008", "Lambda memory sizes whose CPU share is simulated on amd64 (empty: none)")
	flag.BoolVar(&o.verbose, "v", false, "print every invoke")
	flag.Parse()
	if o.rounds < 1 || o.warm < 1 || o.width < 1 {
		return errors.New("-rounds, -warm and -width must be positive")
	}
	for f := range strings.SplitSeq(formats, ",") {
		o.formats = append(o.formats, contract.Format(strings.TrimSpace(f)))
	}
	o.archs = strings.Split(archs, ",")
	for m := range strings.SplitSeq(memories, ",") {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		n, err := strconv.Atoi(m)
		if err != nil || n < 128 || n > 10240 {
			return fmt.Errorf("-memory %q: want sizes in MB, 128-10240", m)
		}
		o.memories = append(o.memories, n)
	}
	src, err := os.ReadFile(o.image)
	if err != nil {
		return fmt.Errorf("%w (run `sh bench/run.sh` once to fetch the photographs, or pass -image)", err)
	}
	rieBin, err := rie.Find()
	if err != nil {
		return err
	}
	ctx := context.Background()
	work, err := os.MkdirTemp("", "imgcells-bench-lambda-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	s3, err := startS3(ctx, work, src)
	if err != nil {
		return err
	}
	defer s3.close()

	var limiter *cpuLimiter
	if len(o.memories) > 0 {
		if limiter, err = newCPULimiter(); err != nil {
			return fmt.Errorf("simulating CPU shares: %w (pass -memory '' to skip)", err)
		}
		defer limiter.close()
	}
	configs, err := buildConfigs(work, o, limiter)
	if err != nil {
		return err
	}
	fmt.Printf("imgcells Lambda bench: %s (%d bytes), width %d, %d rounds of 1 cold + %d warm invokes, %s\n",
		filepath.Base(o.image), len(src), o.width, o.rounds, o.warm, time.Now().UTC().Format(time.RFC3339))
	b := bench{rie: rieBin, s3: s3, opts: o, work: work}
	for r := range o.rounds {
		for i := range configs {
			if err := b.environment(ctx, &configs[i], r); err != nil {
				return fmt.Errorf("%s: %w", configs[i].name(), err)
			}
		}
	}
	printArchTable(configs)
	printCPUTable(configs)
	return nil
}

// buildConfigs builds each architecture's bootstrap and lists what to run:
// every architecture and format unthrottled, then amd64 WebP at each
// memory size's CPU share.
func buildConfigs(work string, o options, limiter *cpuLimiter) ([]config, error) {
	mod, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	var out []config
	bins := map[string][]string{}
	for _, arch := range o.archs {
		dir := filepath.Join(work, arch)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "building the %s bootstrap\n", arch)
		a, err := lambdazip.Build(lambdazip.Options{ModuleDir: mod, Arch: arch, OutPath: filepath.Join(dir, "converter.zip")})
		if err != nil {
			return nil, fmt.Errorf("%w (run from the repository root)", err)
		}
		bin, err := lambdazip.Extract(a.Path, dir)
		if err != nil {
			return nil, err
		}
		bins[arch] = []string{bin}
		if arch != hostArch() {
			qemu, err := exec.LookPath("qemu-" + qemuArch(arch) + "-static")
			if err != nil {
				return nil, fmt.Errorf("running the %s bootstrap needs qemu-user-static: %w", arch, err)
			}
			bins[arch] = []string{qemu, bin}
		}
		for _, f := range o.formats {
			out = append(out, config{arch: arch, cmdline: bins[arch], format: f, memoryMB: defaultMemoryMB})
		}
	}
	if native, ok := bins[hostArch()]; ok {
		for _, m := range o.memories {
			out = append(out, config{arch: hostArch(), cmdline: native, format: o.formats[0], memoryMB: m, limiter: limiter})
		}
	}
	return out, nil
}

// defaultMemoryMB is the memory size of the unthrottled runs: the
// emulator's own default, the size the prod stack deploys.
const defaultMemoryMB = 3008

func qemuArch(goarch string) string {
	if goarch == "arm64" {
		return "aarch64"
	}
	return "x86_64"
}
