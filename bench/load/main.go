// Command load is a bounded load run against the local stack on loopback
// (not a test): `go run ./bench/load`. It starts the stack in-process
// (versitygw on loopback), then
//
//  1. measures cold misses through the whole stack (edge function, S3 miss,
//     failover, converter reading the original from S3, converting and
//     storing) against the bare converter.Convert of the same image and
//     variant, and reports their ratio (target ≤ 1.05);
//  2. sends a fixed number of requests (a mix of cache hits and fresh
//     misses) from a fixed number of workers, stopping early at a time
//     limit, and reports throughput, p50/p95/p99 and peak RSS.
//
// Only loopback addresses are used, and every loop is bounded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"imgcells/local/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type options struct {
	stackFile   string
	images      string
	coldImage   string
	coldWidth   int
	coldAccept  string
	coldRounds  int
	requests    int
	workers     int
	missPercent int
	limit       time.Duration
}

func run() error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	var o options
	fs.StringVar(&o.stackFile, "stack-file", "Pulumi.dev.yaml", "stack configuration to simulate")
	fs.StringVar(&o.images, "images", "testdata/photos", "folder of originals served by the stack")
	fs.StringVar(&o.coldImage, "cold-image", "testdata/photos/photo.jpg", "image whose cold miss is compared with the bare conversion (uploaded as bench/<name>)")
	fs.IntVar(&o.coldWidth, "cold-width", 1080, "requested width of the cold-miss comparison")
	fs.StringVar(&o.coldAccept, "cold-accept", chromeAccept, "Accept header of the cold-miss comparison (image/webp for WebP)")
	fs.IntVar(&o.coldRounds, "cold-rounds", 15, "cold misses (and bare conversions) measured")
	fs.IntVar(&o.requests, "requests", 2000, "requests in the load run")
	fs.IntVar(&o.workers, "workers", 8, "concurrent clients in the load run")
	fs.IntVar(&o.missPercent, "miss-percent", 10, "share of load-run requests for variants not yet converted")
	fs.DurationVar(&o.limit, "time-limit", 90*time.Second, "the load run stops here even if requests remain")
	if err := fs.Parse(os.Args[1:]); err != nil { // ExitOnError: Parse exits rather than return one
		return err
	}
	if o.requests <= 0 || o.workers <= 0 || o.coldRounds <= 0 || o.missPercent < 0 || o.missPercent > 100 {
		return errors.New("-requests, -workers and -cold-rounds must be positive; -miss-percent 0-100")
	}

	comp, err := stack.ReadStackFile(o.stackFile)
	if err != nil {
		return fmt.Errorf("%w (run from the repository root)", err)
	}
	cfg := stack.FromComponents(comp)
	cfg.Images = o.images
	cfg.ReplicationLag = time.Hour // replication copies would compete with the run
	quiet := log.New(io.Discard, "", 0)
	cfg.Logf = quiet.Printf
	ctx := context.Background()
	st, err := stack.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: st, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
	go func() {
		// Serve returns http.ErrServerClosed once the deferred Close runs.
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "load: serving:", err)
		}
	}()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}

	fmt.Printf("imgcells load run: %s, regions %v, S3 server pid %d, %s\n",
		filepath.Base(o.stackFile), st.Regions(), st.S3ServerPID(), time.Now().UTC().Format(time.RFC3339))

	cold, err := coldComparison(ctx, st, client, base, o)
	if err != nil {
		return err
	}
	cold.print()

	res, err := loadRun(ctx, st, client, base, o)
	if err != nil {
		return err
	}
	res.print()
	printRSS(st.S3ServerPID())
	return nil
}
