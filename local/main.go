// Command local runs imgcells' whole request path on this machine, with no
// AWS account: `go run ./local`, then open http://localhost:8080.
//
// It serves a folder of images through the rendered CloudFront Function, an
// edge cache, the origin group (transformed bucket, then the converter's
// real handler) and buckets on a real S3-compatible server (versitygw,
// started on loopback, or -s3-endpoint), with replication simulated. One log
// line per request shows the rewritten key, hit or miss, origin, region,
// failover and timings.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"imgcells/local/stack"
)

func main() {
	os.Exit(runMain())
}

// runMain runs the command and returns its exit code, so that its deferred
// calls run before main exits.
func runMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		return 1
	}
	return 0
}

// run serves until ctx is done. It logs to logw with its own logger: an
// imported package silences the standard logger's default output.
func run(ctx context.Context, args []string, logw io.Writer) error {
	logger := log.New(logw, "", log.Ltime|log.Lmicroseconds)
	// An own flag set: imported packages register flags (-v among them) on
	// the default one.
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(logw)
	var (
		images     = fs.String("images", "testdata/photos", "folder of images to serve (uploaded to the source bucket at start)")
		addr       = fs.String("addr", ":8080", "address to serve on")
		stackName  = fs.String("stack", "dev", "which Pulumi.<stack>.yaml to simulate: dev or prod")
		stackFile  = fs.String("stack-file", "", "path of the stack file (default Pulumi.<stack>.yaml here)")
		viewer     = fs.String("region", "", "region requests are routed to (default the primary); the X-Imgcells-Region header overrides it per request")
		lag        = fs.Duration("replication-lag", 2*time.Second, "how long S3 replication takes to copy a new object to the other regions")
		dataDir    = fs.String("data", "", "folder for the S3 server's data (default a temporary folder, removed on exit)")
		endpoint   = fs.String("s3-endpoint", "", "use this S3-compatible server instead of starting versitygw")
		s3Region   = fs.String("s3-region", "us-east-1", "the region the -s3-endpoint server checks signatures against")
		verbose    = fs.Bool("verbose", false, "also print the converter's own request log")
		noCollapse = fs.Bool("no-collapse", false, "turn off request collapsing in the edge cache")
		signing    = fs.Bool("signing", false, "require signed URLs even if the stack does not (the gallery signs its own)")
		signKey    = fs.String("sign-key", "", "URL-signing key for the edge function's KeyValueStore (default random; printed at start)")
		idle       = fs.Duration("idle-timeout", 60*time.Second, "close a connection idle this long, between requests or before the first one's header")
		maxInline  = fs.Int("max-inline-bytes", 0, "largest output the converter returns inline, else it stores it and redirects to it (default the Lambda's, about 4.4 MB)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *idle <= 0 {
		return errors.New("-idle-timeout must be positive")
	}
	if *maxInline < 0 {
		return errors.New("-max-inline-bytes must not be negative")
	}

	path := *stackFile
	if path == "" {
		path = "Pulumi." + *stackName + ".yaml"
	}
	comp, err := stack.ReadStackFile(path)
	if err != nil {
		return fmt.Errorf("%w (run from the repository root, or pass -stack-file)", err)
	}
	cfg := stack.FromComponents(comp)
	cfg.ViewerRegion = *viewer
	cfg.ReplicationLag = *lag
	cfg.Dir = *dataDir
	cfg.NoCollapse = *noCollapse
	cfg.Logf = logger.Printf
	cfg.Edge.Signing = cfg.Edge.Signing || *signing
	cfg.SigningKey = *signKey
	cfg.MaxInlineBytes = *maxInline
	if *images != "" {
		if st, err := os.Stat(*images); err != nil || !st.IsDir() {
			return fmt.Errorf("-images %s is not a folder (run from the repository root, or pass -images DIR)", *images)
		}
		cfg.Images = *images
	}
	if *dataDir != "" {
		if abs, err := filepath.Abs(*dataDir); err == nil {
			cfg.Dir = abs
		}
	}
	if *endpoint != "" {
		access, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		if access == "" || secret == "" {
			return errors.New("-s3-endpoint needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for that server")
		}
		cfg.S3 = stack.ExternalS3(*endpoint, *s3Region, access, secret)
	}
	if *verbose {
		cfg.ConverterLog = slog.New(slog.NewTextHandler(logw, nil))
	}

	st, err := stack.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	// Idle keep-alive connections are closed, and so is one that sends no
	// header: an idle or half-open client cannot hold a connection forever.
	srv := &http.Server{Handler: st, IdleTimeout: *idle, ReadHeaderTimeout: min(10*time.Second, *idle)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s3At := st.S3Endpoint()
	if pid := st.S3ServerPID(); pid != 0 {
		s3At += fmt.Sprintf(" (versitygw pid %d)", pid)
	}
	logger.Printf("imgcells local stack (%s): regions %s, primary %s, S3 at %s, replication lag %s",
		*stackName, strings.Join(st.Regions(), ","), st.PrimaryRegion(), s3At, *lag)
	if cfg.Edge.Signing {
		logger.Printf("URLs must be signed: key %q in the KeyValueStore as %s (see edge.SignURL)", st.SigningKey(), "sign.key")
	}
	base := "http://" + displayAddr(ln.Addr())
	logger.Printf("change an original: curl -T photo.jpg %s/_local/originals/KEY (or -X DELETE); the purge runs as on AWS", base)
	logger.Printf("purge by hand: go run ./cmd/imgpurge -outputs %s/_local/stack-output KEY", base)
	logger.Printf("gallery: http://%s/", displayAddr(ln.Addr()))
	var failed error
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	case <-st.Failed():
		// The stack has logged why; nothing can be served without S3.
		failed = st.Err()
	}
	// Shut down under a deadline of its own that keeps ctx's values.
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return errors.Join(failed, fmt.Errorf("shutting down: %w", err))
	}
	return failed
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
