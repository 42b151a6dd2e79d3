package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"imgcells/contract"
	"imgcells/converter/httpapi"
	"imgcells/converter/lambdazip/rie"
)

// config is one configuration measured every round.
type config struct {
	arch     string
	cmdline  []string // the bootstrap, or qemu and the bootstrap
	format   contract.Format
	memoryMB int
	limiter  *cpuLimiter // nil: unthrottled

	init, first, warm         []time.Duration
	firstFaults, warmFaults   []int64
	firstCPU, warmCPU         []time.Duration // the runtime process's CPU time
	firstConvert, warmConvert []float64       // the handler's convert_ms
	firstFetch, warmFetch     []float64       // fetch_ms
	firstStore, warmStore     []float64       // store_ms
}

func (c *config) name() string {
	s := c.arch + " " + string(c.format)
	if c.limiter != nil {
		s += fmt.Sprintf(" at %d MB (%.2f vCPU)", c.memoryMB, vcpus(c.memoryMB))
	}
	return s
}

// vcpus is the CPU share of a Lambda with memoryMB: one vCPU at 1769 MB,
// proportionally.
func vcpus(memoryMB int) float64 { return float64(memoryMB) / 1769 }

func hostArch() string { return runtime.GOARCH }

const (
	secret   = "bench-origin-verify-secret-0123456789"
	function = "imgcells-bench-converter"
)

type bench struct {
	rie  string
	s3   *s3Server
	opts options
	work string
}

// environment starts a fresh emulated execution environment for c, invokes
// it once cold and opts.warm times warm, and records the reports.
func (b *bench) environment(ctx context.Context, c *config, round int) error {
	v := contract.Variant{Format: c.format, Quality: 75, Width: b.opts.width}
	if c.format == contract.FormatJPEG || c.format == contract.FormatPNG {
		v.Quality = 0
	}
	key := contract.VariantKey(originalKey, v)
	event, err := eventFor(key)
	if err != nil {
		return err
	}
	env := append(b.s3.env(), "PATH="+os.Getenv("PATH"),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=25",
		"AWS_LAMBDA_FUNCTION_NAME="+function,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(c.memoryMB),
		"IMGCELLS_ORIGIN_VERIFY_SECRET="+secret)
	if c.limiter != nil {
		// Lambda shows two vCPUs at these sizes and no quota: Go would
		// otherwise size GOMAXPROCS from the cgroup's.
		env = append(env, "GOMAXPROCS=2")
	}
	dir := filepath.Join(b.work, fmt.Sprintf("env-%d", round))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := rie.Start(ctx, b.rie, env, dir, c.cmdline...)
	if err != nil {
		return err
	}
	defer f.Stop()
	if c.limiter != nil {
		// The emulator starts the bootstrap at the first invoke: its
		// child inherits the cgroup.
		if err := c.limiter.hold(f.PID(), vcpus(c.memoryMB)); err != nil {
			return err
		}
		defer c.limiter.release()
	}
	for i := range 1 + b.opts.warm {
		if err := b.s3.deleteVariant(ctx, key); err != nil {
			return err
		}
		pid := f.RuntimePID()
		before := usage(pid)
		ans, err := f.Invoke(ctx, event)
		if err != nil {
			return fmt.Errorf("%w\n%s", err, f.Logs())
		}
		if err := checkAnswer(ans, c.format); err != nil {
			return fmt.Errorf("invoke %d: %w", i+1, err)
		}
		if pid == 0 {
			pid = f.RuntimePID()
		}
		rec, err := lastInvoke(f, i+1)
		if err != nil {
			return err
		}
		after := usage(pid)
		fl, cpu := after.MinorFaults-before.MinorFaults, after.CPU-before.CPU
		if i == 0 {
			fl, cpu = fl-rec.initFaults, cpu-rec.initCPU
		}
		if i == 0 {
			c.init, c.first = append(c.init, rec.init), append(c.first, rec.duration)
			c.firstFaults, c.firstCPU = append(c.firstFaults, fl), append(c.firstCPU, cpu)
			c.firstConvert, c.firstFetch, c.firstStore = append(c.firstConvert, rec.convertMS), append(c.firstFetch, rec.fetchMS), append(c.firstStore, rec.storeMS)
		} else {
			c.warm = append(c.warm, rec.duration)
			c.warmFaults, c.warmCPU = append(c.warmFaults, fl), append(c.warmCPU, cpu)
			c.warmConvert, c.warmFetch, c.warmStore = append(c.warmConvert, rec.convertMS), append(c.warmFetch, rec.fetchMS), append(c.warmStore, rec.storeMS)
		}
		if b.opts.verbose {
			fmt.Fprintf(os.Stderr, "%s round %d invoke %d: %v (init %v) convert %.0f ms, %d faults\n",
				c.name(), round+1, i+1, rec.duration.Round(time.Millisecond), rec.init.Round(time.Millisecond), rec.convertMS, fl)
		}
	}
	return nil
}

// usage is pid's usage so far, zero when there is no process yet (before
// the first invoke: the bootstrap's whole life is counted, init included).
func usage(pid int) rie.Usage {
	if pid == 0 {
		return rie.Usage{}
	}
	u, err := rie.ProcessUsage(pid)
	if err != nil {
		return rie.Usage{}
	}
	return u
}

// eventFor is the API Gateway event CloudFront's failover sends for key.
func eventFor(variantKey string) ([]byte, error) {
	key, v, err := contract.ParseKey(variantKey)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodGet, "https://api.example"+contract.CDNPath(key, v), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "Amazon CloudFront")
	req.Header.Set(contract.OriginVerifyHeader, secret)
	return json.Marshal(httpapi.EventFromHTTP(req))
}

// checkAnswer insists on a 200 with an image of the asked format: a
// refusal or an error would be measured as if it were a conversion.
func checkAnswer(raw []byte, f contract.Format) error {
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return fmt.Errorf("not an HTTP API response: %w: %.300q", err, raw)
	}
	if want := f.ContentType(); resp.StatusCode != http.StatusOK || resp.Headers["content-type"] != want {
		return fmt.Errorf("answered %d %q, want 200 %s: %.300q", resp.StatusCode, resp.Headers["content-type"], want, resp.Body)
	}
	return nil
}
