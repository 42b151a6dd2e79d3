// Command edgerender prints the CloudFront Function code a stack deploys: it reads
// Pulumi.<stack>.yaml, validates it exactly as the Pulumi program does (every key but the
// encrypted origin-verify secret, which only the Pulumi engine can read) and renders the
// edge function for it.
//
//	go run ./cmd/edgerender -stack dev > rewrite.dev.js
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"imgcells/components/stackconfig"
	"imgcells/edge"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edgerender", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "dev", "stack whose Pulumi.<stack>.yaml to render")
	dir := fs.String("dir", ".", "directory holding the Pulumi stack files")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	code, err := render(filepath.Join(*dir, "Pulumi."+*stack+".yaml"))
	if err != nil {
		fmt.Fprintf(stderr, "edgerender: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(code); err != nil {
		fmt.Fprintf(stderr, "edgerender: writing: %v\n", err)
		return 1
	}
	return 0
}

func render(stackFile string) ([]byte, error) {
	raw, err := stackconfig.ReadStackFile(stackFile)
	if err != nil {
		return nil, err
	}
	cfg, err := stackconfig.ParsePublic(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is invalid:\n%w", stackFile, err)
	}
	code, err := edge.Render(cfg.Edge)
	if err != nil {
		return nil, fmt.Errorf("rendering the edge function for %s: %w", stackFile, err)
	}
	return code, nil
}
