// Command hostile writes the converter's budget test inputs to files, one
// per input class, for manual runs and bench/budget:
//
//	hostile -out DIR [-pixels N] [-only NAME,...]
//
// Classes are made at their worst within the pixel limit N (default the
// stack's default, 50 megapixels). Each file is named after its class with
// the format's extension, and
// DIR/classes.tsv lists name, file, variant and description, one class a
// line.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"imgcells/contract"
	"imgcells/converter/internal/hostile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hostile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write the files to")
	only := fs.String("only", "", "comma-separated class names (default: all)")
	pixels := fs.Int64("pixels", contract.DefaultMaxSourcePixels, "the pixel limit the classes are made for")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "hostile: -out is required")
		return 2
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "hostile:", err)
		return 2
	}
	var names []string
	if *only != "" {
		names = strings.Split(*only, ",")
	}
	var tsv strings.Builder
	for _, c := range hostile.Classes(*pixels) {
		if names != nil && !slices.Contains(names, c.Name) {
			continue
		}
		b, err := c.Make()
		if err != nil {
			fmt.Fprintf(stderr, "hostile: %s: %v\n", c.Name, err)
			return 1
		}
		file := c.Name + ext(b)
		if err := os.WriteFile(filepath.Join(*out, file), b, 0o644); err != nil {
			fmt.Fprintln(stderr, "hostile:", err)
			return 1
		}
		fmt.Fprintf(&tsv, "%s\t%s\t%s\t%s\n", c.Name, file, c.Variant, c.About)
		fmt.Fprintf(stdout, "%-30s %10d bytes  %s\n", file, len(b), c.About)
	}
	if err := os.WriteFile(filepath.Join(*out, "classes.tsv"), []byte(tsv.String()), 0o644); err != nil {
		fmt.Fprintln(stderr, "hostile:", err)
		return 1
	}
	return 0
}

func ext(b []byte) string {
	switch {
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8:
		return ".jpg"
	case len(b) > 8 && string(b[1:4]) == "PNG":
		return ".png"
	case len(b) > 6 && string(b[:3]) == "GIF":
		return ".gif"
	case len(b) > 12 && string(b[8:12]) == "WEBP":
		return ".webp"
	}
	return ".bin"
}
