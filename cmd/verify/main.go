// Command verify checks a deployed imgcells stack end to end, one line per
// check with its timing, and exits 1 if any check fails (2 if it cannot run):
//
//	go run ./cmd/verify -stack dev            # runs `pulumi stack output --json --stack dev`
//	pulumi stack output --json | go run ./cmd/verify -outputs -
//	go run ./cmd/verify -local http://localhost:8080   # the local stack (make local)
//
// It needs the AWS credentials `pulumi up` used and changes nothing but its
// probe objects under _imgcells-verify/ in the stack's buckets (and one
// CloudFront invalidation of that prefix). See package verify.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"imgcells/verify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		stack    = fs.String("stack", "", "Pulumi stack to check (reads `pulumi stack output --json --stack NAME`)")
		outputs  = fs.String("outputs", "", "file with the stack's `pulumi stack output --json`, or - for standard input")
		local    = fs.String("local", "", "URL of a running local stack (make local) to check instead of AWS")
		signKey  = fs.String("sign-key", os.Getenv("IMGCELLS_SIGN_KEY"), "URL-signing key (sign.key in the function's KeyValueStore) when imgcells:signing is on; default $IMGCELLS_SIGN_KEY")
		misses   = fs.Int("n", 10, "first requests (and as many cached ones) the latency check measures")
		repl     = fs.Duration("replication-timeout", 5*time.Minute, "how long to wait for replication to every region")
		inval    = fs.Duration("invalidation-timeout", 5*time.Minute, "how long to wait for the CloudFront invalidation")
		maxMissP = fs.Duration("max-miss-p95", 0, "fail when the first requests' P95 is above this (default: report it beside the 1 s headline)")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var (
		o   verify.Outputs
		t   verify.Target
		err error
	)
	switch {
	case *local != "":
		o, err = localOutputs(ctx, *local)
		if err == nil {
			t, err = verify.NewLocalTarget(o)
		}
	case *stack != "" || *outputs != "":
		o, err = stackOutputs(ctx, *stack, *outputs, stdin)
		if err == nil {
			t, err = verify.NewAWSTarget(ctx, o, *signKey)
		}
	default:
		err = errors.New("say which stack: -stack NAME, -outputs FILE (or - for stdin), or -local URL")
	}
	if err != nil {
		fmt.Fprintln(stderr, "verify:", err)
		return 2
	}
	if *signKey != "" {
		t.SignKey = *signKey
	}
	report, err := verify.Run(ctx, t, verify.Options{
		Misses: *misses, ReplicationTimeout: *repl, InvalidationTimeout: *inval, MaxMissP95: *maxMissP,
	}, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "verify:", err)
		return 2
	}
	fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped", report.Count(verify.Pass), report.Count(verify.Fail), report.Count(verify.Skip))
	if o.DashboardURL != "" {
		fmt.Fprintf(stdout, "; dashboard: %s", o.DashboardURL)
	}
	fmt.Fprintln(stdout)
	if report.Count(verify.Fail) > 0 {
		return 1
	}
	return 0
}

// stackOutputs reads the outputs from a file, standard input, or the Pulumi CLI.
func stackOutputs(ctx context.Context, stack, file string, stdin io.Reader) (verify.Outputs, error) {
	var b []byte
	var err error
	switch {
	case file == "-":
		b, err = io.ReadAll(stdin)
	case file != "":
		b, err = os.ReadFile(file)
	default:
		cmd := exec.CommandContext(ctx, "pulumi", "stack", "output", "--json", "--stack", stack)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		b, err = cmd.Output()
		if err != nil {
			return verify.Outputs{}, fmt.Errorf("pulumi stack output --json --stack %s: %w: %s (or pass -outputs FILE)", stack, err, strings.TrimSpace(stderr.String()))
		}
	}
	if err != nil {
		return verify.Outputs{}, fmt.Errorf("reading the stack outputs: %w", err)
	}
	return verify.ParseOutputs(b)
}

// localOutputs asks a running local stack for its outputs.
func localOutputs(ctx context.Context, base string) (verify.Outputs, error) {
	u := strings.TrimRight(base, "/") + "/_local/outputs"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return verify.Outputs{}, fmt.Errorf("-local %s: %w", base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return verify.Outputs{}, fmt.Errorf("is the local stack running (make local)? %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return verify.Outputs{}, fmt.Errorf("reading %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return verify.Outputs{}, fmt.Errorf("%s answered %d: %s", u, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return verify.ParseOutputs(b)
}
