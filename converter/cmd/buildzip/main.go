// Command buildzip builds the converter Lambda's zip (see lambdazip):
//
//	go run ./converter/cmd/buildzip -arch arm64 -out dist/converter-arm64.zip
//
// It rebuilds only when the zip is missing or its sources changed, unless
// -force is given, and prints the zip's path and SHA-256.
package main

import (
	"flag"
	"fmt"
	"os"

	"imgcells/converter/lambdazip"
)

func main() {
	arch := flag.String("arch", "arm64", "target architecture: arm64 (Lambda's default here) or amd64")
	out := flag.String("out", "", "zip to write (default dist/converter-ARCH.zip)")
	module := flag.String("module", ".", "directory holding go.mod")
	force := flag.Bool("force", false, "build even when the zip is up to date")
	cflags := flag.Bool("print-cflags", false, "print the C flags the bootstrap for -arch is built with, and exit (bench/run.sh builds its binaries with them)")
	flag.Parse()
	if *cflags {
		fmt.Println(lambdazip.CFlags(*arch))
		return
	}
	if *out == "" {
		*out = "dist/converter-" + *arch + ".zip"
	}
	opts := lambdazip.Options{ModuleDir: *module, Arch: *arch, OutPath: *out}
	var (
		a     lambdazip.Artifact
		built = true
		err   error
	)
	if *force {
		a, err = lambdazip.Build(opts)
	} else {
		a, built, err = lambdazip.Ensure(opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "buildzip:", err)
		os.Exit(1)
	}
	state := "built"
	if !built {
		state = "up to date"
	}
	fmt.Printf("%s %s sha256=%s (%s)\n", a.Path, *arch, a.SHA256, state)
}
