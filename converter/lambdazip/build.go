// Package lambdazip builds the converter Lambda's deployment package: a
// statically linked cgo `bootstrap` for provided.al2023 in a zip that is
// byte-identical across builds of the same tree, so `pulumi preview` shows no
// false diff. Both the Makefile (converter/cmd/buildzip) and the Pulumi
// program use it; it has no Pulumi imports.
package lambdazip

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Package is the Go package built into the bootstrap, relative to the module.
const Package = "./converter/cmd/bootstrap"

// PrebuiltConfigKey is the Pulumi config option that names a prebuilt zip,
// for machines that cannot cross-compile.
const PrebuiltConfigKey = "imgcells:converterZip"

// zipTime is the fixed modification time of the zip entry.
var zipTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Options say what to build and where.
type Options struct {
	ModuleDir string // the directory holding go.mod
	Arch      string // "arm64" (what Lambda runs) or "amd64"
	OutPath   string // the zip to write, e.g. dist/converter-arm64.zip
}

// Artifact is a built (or existing) zip and its hashes.
type Artifact struct {
	Path         string
	SHA256       string // hex of the zip bytes
	Base64SHA256 string // base64 of the same digest (Lambda's CodeSha256)
}

// buildTags are the build tags of the bootstrap.
const buildTags = "lambda.norpc,netgo"

// buildFlags are the go build arguments that make the binary static,
// reproducible and free of the RPC runtime that provided.al2023 lacks.
var buildFlags = []string{
	"build", "-tags", buildTags, "-trimpath", "-buildvcs=false",
	"-ldflags", "-s -w -linkmode external -extldflags -static",
}

// CFlags are the C compiler flags the bootstrap is built with for arch (cgo
// applies them to every package's C, libwebp's among it). Lambda's x86_64
// processors have AVX2 (AWS's "Using AVX2 vectorization in Lambda"), so the
// amd64 build may use SSE4.1, where libwebp has faster encoder paths with the
// same output to the byte; arm64's NEON is in its baseline.
func CFlags(arch string) string {
	if arch == "amd64" {
		return "-O2 -g -msse4.1"
	}
	return "-O2 -g"
}

// Build compiles the bootstrap for opts.Arch and writes the zip to
// opts.OutPath, with a stamp beside it (see UpToDate).
func Build(opts Options) (Artifact, error) {
	if err := opts.check(); err != nil {
		return Artifact{}, err
	}
	cc, ccPkg, err := compiler(opts.Arch)
	if err != nil {
		return Artifact{}, err
	}
	// Hash the inputs before building: an edit during the build then
	// leaves the stamp stale rather than the zip wrongly up to date.
	hash, err := SourceHash(opts)
	if err != nil {
		return Artifact{}, err
	}
	tmp, err := os.MkdirTemp("", "imgcells-bootstrap-")
	if err != nil {
		return Artifact{}, fmt.Errorf("making a build directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bootstrap")
	args := append(append([]string{}, buildFlags...), "-o", bin, Package)
	cmd := exec.Command("go", args...)
	cmd.Dir = opts.ModuleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+opts.Arch, "CGO_ENABLED=1", "CC="+cc,
		"CGO_CFLAGS="+CFlags(opts.Arch), "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		return Artifact{}, buildError(opts.Arch, cc, ccPkg, out, err)
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		return Artifact{}, fmt.Errorf("reading the built bootstrap: %w", err)
	}
	zipped, err := zipBootstrap(exe)
	if err != nil {
		return Artifact{}, err
	}
	if err := os.MkdirAll(filepath.Dir(opts.OutPath), 0o755); err != nil {
		return Artifact{}, fmt.Errorf("making the output directory: %w", err)
	}
	if err := writeAtomic(opts.OutPath, zipped); err != nil {
		return Artifact{}, err
	}
	if err := writeAtomic(stampPath(opts.OutPath), []byte(hash+"\n")); err != nil {
		return Artifact{}, err
	}
	return artifactOf(opts.OutPath, zipped), nil
}

func (o Options) check() error {
	if o.Arch != "arm64" && o.Arch != "amd64" {
		return fmt.Errorf("lambdazip: arch %q: want arm64 or amd64", o.Arch)
	}
	if o.OutPath == "" {
		return errors.New("lambdazip: OutPath is required")
	}
	if _, err := os.Stat(filepath.Join(o.ModuleDir, "go.mod")); err != nil {
		return fmt.Errorf("lambdazip: ModuleDir %q has no go.mod: %w", o.ModuleDir, err)
	}
	return nil
}

// compiler picks the C compiler for arch: the native gcc when the host has
// that architecture, Debian's cross compiler otherwise.
func compiler(arch string) (cc, pkg string, err error) {
	cc, pkg = "gcc", "gcc"
	if arch != runtime.GOARCH {
		switch arch {
		case "arm64":
			cc, pkg = "aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"
		case "amd64":
			cc, pkg = "x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu"
		}
	}
	if _, err := exec.LookPath(cc); err != nil {
		return "", "", fmt.Errorf("building the %s converter needs the C compiler %s: install it (Debian: %s), "+
			"or build the zip elsewhere with `make converter` and pass it with `pulumi config set %s <path>`",
			arch, cc, installHint(arch, pkg), PrebuiltConfigKey)
	}
	return cc, pkg, nil
}

// cLibs are the Debian packages with the static C libraries the converter
// links (libpng, zlib, libdeflate, libaom); Little CMS and libjpeg-turbo are
// built from source into .deps/ (scripts/deps.sh).
var cLibs = []string{"libpng-dev", "zlib1g-dev", "libdeflate-dev", "libaom-dev"}

func installHint(arch, ccPkg string) string {
	var b strings.Builder
	b.WriteString(ccPkg)
	for _, p := range cLibs {
		b.WriteString(" " + p)
		if arch != runtime.GOARCH {
			b.WriteString(":" + arch)
		}
	}
	pkgs := b.String()
	if arch == runtime.GOARCH {
		return "apt-get install " + pkgs
	}
	return "dpkg --add-architecture " + arch + " && apt-get update && apt-get install " + pkgs
}

// buildError explains the usual causes of a failed cgo cross build.
func buildError(arch, cc, ccPkg string, out []byte, err error) error {
	text := string(out)
	for _, lib := range []struct{ name, header, archive string }{
		{"Little CMS", "lcms2.h", "liblcms2.a"},
		{"libjpeg-turbo", "jpeglib.h", "libjpeg.a"},
	} {
		if strings.Contains(text, lib.header) || strings.Contains(text, lib.archive) {
			return fmt.Errorf("building the %s bootstrap: the static %s for %s is missing "+
				"(scripts/deps.sh build compiles it from Debian's source package into .deps/), "+
				"or pass a prebuilt zip with `pulumi config set %s <path>`: %w\n%s", arch, lib.name, arch, PrebuiltConfigKey, err, text)
		}
	}
	missingLib := false
	for _, sign := range []string{"png.h", "-lpng", "zlib.h", "-lz", "libdeflate.h", "-ldeflate", "aom_encoder.h", "-laom"} {
		missingLib = missingLib || strings.Contains(text, sign)
	}
	if missingLib {
		return fmt.Errorf("building the %s bootstrap: a C library for %s is missing (install with: %s), "+
			"or pass a prebuilt zip with `pulumi config set %s <path>`: %w\n%s",
			arch, arch, installHint(arch, ccPkg), PrebuiltConfigKey, err, text)
	}
	return fmt.Errorf("building the %s bootstrap (CC=%s): %w\n%s", arch, cc, err, text)
}

// zipBootstrap puts exe at the zip root as `bootstrap`, mode 0755, with a
// fixed timestamp: the zip depends on the binary's bytes only.
func zipBootstrap(exe []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("zipping bootstrap: %w", err)
	}
	if _, err := w.Write(exe); err != nil {
		return nil, fmt.Errorf("zipping bootstrap: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zipping bootstrap: %w", err)
	}
	return buf.Bytes(), nil
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func artifactOf(path string, zipped []byte) Artifact {
	sum := sha256.Sum256(zipped)
	return Artifact{Path: path, SHA256: hex.EncodeToString(sum[:]), Base64SHA256: base64.StdEncoding.EncodeToString(sum[:])}
}

// Read hashes an existing zip, e.g. a prebuilt one named by
// imgcells:converterZip.
func Read(path string) (Artifact, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Artifact{}, fmt.Errorf("reading converter zip: %w", err)
	}
	return artifactOf(path, b), nil
}

// Extract writes the bootstrap of the zip at zipPath into dir, executable,
// and returns its path.
func Extract(zipPath, dir string) (string, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return "", fmt.Errorf("opening converter zip: %w", err)
	}
	defer zr.Close()
	rc, err := zr.Open("bootstrap")
	if err != nil {
		return "", fmt.Errorf("converter zip has no bootstrap: %w", err)
	}
	defer rc.Close()
	exe, err := io.ReadAll(rc)
	if err != nil {
		return "", fmt.Errorf("reading bootstrap from the zip: %w", err)
	}
	bin := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		return "", fmt.Errorf("writing bootstrap: %w", err)
	}
	return bin, nil
}
