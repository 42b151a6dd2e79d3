// Command imgpurge purges originals' variants by hand, with the purge
// function's own code: for each key it deletes, in every region's
// transformed bucket, the variants not made from the original's current
// version (-force: every variant), waits while some still replicate, then
// invalidates their CloudFront paths. It reads the stack's outputs:
//
//	go run ./cmd/imgpurge -stack prod products/shoe.jpg "summer sale/red shoe.jpg"
//	go run ./cmd/imgpurge -stack prod -prefix products/
//	go run ./cmd/imgpurge -outputs http://localhost:8080/_local/stack-output products/shoe.jpg
//
// Against AWS it uses the usual credential chain; it needs s3:GetObject and
// s3:ListBucket on the main source bucket, s3:ListBucket, s3:GetObject and
// s3:DeleteObject on the transformed buckets and cloudfront:CreateInvalidation
// on the distribution.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"imgcells/contract"
	"imgcells/purge"
)

func main() { os.Exit(runMain()) }

// runMain runs the command and returns its exit code, so that its deferred
// calls run before main exits.
func runMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "imgpurge:", err)
		return 1
	}
	return 0
}

// options are the command line.
type options struct {
	stack, outputs string
	prefix, force  bool
	wait, retry    time.Duration
	args           []string
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("imgpurge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: imgpurge [-stack NAME | -outputs FILE|URL] [-prefix] [-force] [-wait 15m] KEY...")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.stack, "stack", "", "Pulumi stack whose outputs to read (`pulumi stack output --json`; default the selected stack)")
	fs.StringVar(&o.outputs, "outputs", "", "read the outputs from this JSON file or URL instead (the local stack: http://localhost:8080/_local/stack-output)")
	fs.BoolVar(&o.prefix, "prefix", false, "each argument is a key prefix: purge every original under it that has variants")
	fs.BoolVar(&o.force, "force", false, "delete every variant, also those made from the current original")
	fs.DurationVar(&o.wait, "wait", 15*time.Minute, "how long to wait for variants whose replication is still pending")
	fs.DurationVar(&o.retry, "retry", 5*time.Second, "how often to look again while replication is pending")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.args = fs.Args()
	if len(o.args) == 0 {
		fs.Usage()
		return o, errors.New("name at least one key (or prefix)")
	}
	for _, a := range o.args {
		if o.prefix && a != "" && !strings.HasPrefix(a, "/") {
			continue
		}
		if err := contract.CheckOriginalKey(a); err != nil {
			return o, fmt.Errorf("%q: %w", a, err)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	out, err := purge.LoadStackOutputs(o.outputs, o.stack)
	if err != nil {
		return err
	}
	t, err := connect(ctx, out)
	if err != nil {
		return err
	}
	keys, paths := o.args, []string(nil)
	if o.prefix {
		if keys, err = originalsUnder(ctx, t.buckets, o.args); err != nil {
			return err
		}
		for _, p := range o.args {
			paths = append(paths, purge.PrefixPath(p))
		}
		fmt.Fprintf(stdout, "%d originals with variants under %q\n", len(keys), o.args)
	} else {
		paths = purge.Paths(keys, purge.MaxWildcards)
	}

	p := &purge.Purger{Source: t.source, Buckets: t.buckets}
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
		sem    = make(chan struct{}, 4)
	)
	for _, key := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			line, err := settle(ctx, p, key, o)
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(stdout, line)
			if err != nil {
				failed = append(failed, key)
			}
		})
	}
	wg.Wait()
	// Invalidate even when some failed: what was deleted must not stay cached.
	if err := t.invalidator.Invalidate(ctx, paths); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "invalidated %s\n", strings.Join(paths, " "))
	if len(failed) > 0 {
		slices.Sort(failed)
		return fmt.Errorf("not purged: %q", failed)
	}
	return nil
}

// settle runs passes over key until one finds nothing stale, waiting while
// stale variants still replicate, and describes the outcome.
func settle(ctx context.Context, p *purge.Purger, key string, o options) (string, error) {
	deadline := time.Now().Add(o.wait)
	var deleted []string
	for {
		r, settled, err := p.Settle(ctx, key, o.force)
		deleted = append(deleted, r.Deleted...)
		switch {
		case err != nil:
			return fmt.Sprintf("%s: %v", key, err), err
		case settled:
			state := "deleted (the original is gone)"
			if r.Exists {
				state = fmt.Sprintf("current version %s, %d fresh variants kept", r.ETag, r.Kept)
			}
			return fmt.Sprintf("%s: removed %d variants %q; %s", key, len(deleted), deleted, state), nil
		case time.Now().After(deadline):
			err := fmt.Errorf("still replicating after %s: %q", o.wait, r.Pending)
			return fmt.Sprintf("%s: %v", key, err), err
		}
		select {
		case <-ctx.Done():
			return fmt.Sprintf("%s: %v", key, ctx.Err()), ctx.Err()
		case <-time.After(o.retry):
		}
	}
}
