package lambdazip

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// stampPath is the file beside the zip holding the SourceHash it was built
// from.
func stampPath(zipPath string) string { return zipPath + ".inputs" }

// SourceHash is a digest of everything the bootstrap is built from: go.mod,
// go.sum, the non-test sources under converter/ (Go, C, headers, embedded
// files) and in every other package of this module the bootstrap imports
// (contract/, purge/: found with `go list -deps`, so an edit there rebuilds
// the zip too), the Go version, the target architecture and the build flags (Go's and C's).
// Module dependencies are pinned by go.sum, so they are covered by it.
func SourceHash(opts Options) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "arch=%s\nflags=%q\ncflags=%q\n", opts.Arch, buildFlags, CFlags(opts.Arch))
	goVersion, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("asking go for its version: %w", err)
	}
	fmt.Fprintf(h, "go=%s\n", bytes.TrimSpace(goVersion))

	files := []string{"go.mod", "go.sum"}
	root := filepath.Join(opts.ModuleDir, "converter")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(opts.ModuleDir, path)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("listing converter sources: %w", err)
	}
	// A module go cannot list (a broken go.mod) cannot be built either: the
	// build says why; the hash just records that the listing failed.
	deps, err := moduleDeps(opts)
	if err != nil {
		fmt.Fprintf(h, "deps=unlisted\n")
	}
	for _, dir := range deps {
		entries, err := os.ReadDir(filepath.Join(opts.ModuleDir, dir))
		if err != nil {
			return "", fmt.Errorf("listing %s: %w", dir, err)
		}
		for _, e := range entries {
			if !e.IsDir() && !strings.HasSuffix(e.Name(), "_test.go") {
				files = append(files, filepath.ToSlash(filepath.Join(dir, e.Name())))
			}
		}
	}
	sort.Strings(files)
	files = slices.Compact(files)
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(opts.ModuleDir, rel))
		if err != nil {
			return "", fmt.Errorf("hashing %s: %w", rel, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// moduleDeps lists the directories, relative to the module, of the module's
// own packages that Package imports, directly or not, as the build for
// opts.Arch sees them, except those under converter/ (already walked).
func moduleDeps(opts Options) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-tags", buildTags, "-f", "{{if not .Standard}}{{.Dir}}{{end}}", Package)
	cmd.Dir = opts.ModuleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+opts.Arch, "CGO_ENABLED=1", "GOFLAGS=-mod=readonly")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			msg = string(bytes.TrimSpace(ee.Stderr))
		}
		return nil, fmt.Errorf("listing the packages %s imports: %w %s", Package, err, msg)
	}
	root, err := filepath.Abs(opts.ModuleDir)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", opts.ModuleDir, err)
	}
	root, _ = filepath.EvalSymlinks(root)
	var dirs []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		dir, _ := filepath.EvalSymlinks(strings.TrimSpace(line))
		rel, err := filepath.Rel(root, dir)
		if line == "" || err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue // outside the module: pinned by go.sum
		}
		if rel = filepath.ToSlash(rel); rel != "converter" && !strings.HasPrefix(rel, "converter/") {
			dirs = append(dirs, rel)
		}
	}
	return dirs, nil
}

// UpToDate reports whether opts.OutPath exists and was built from the
// current sources (its stamp matches SourceHash).
func UpToDate(opts Options) (bool, error) {
	if _, err := os.Stat(opts.OutPath); err != nil {
		if os.IsNotExist(err) {
			return false, nil
		}
		return false, fmt.Errorf("checking %s: %w", opts.OutPath, err)
	}
	stamp, err := os.ReadFile(stampPath(opts.OutPath))
	if err != nil {
		if os.IsNotExist(err) {
			return false, nil
		}
		return false, fmt.Errorf("reading build stamp: %w", err)
	}
	want, err := SourceHash(opts)
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(string(stamp)) == want, nil
}

// Ensure returns the zip at opts.OutPath, building it first when it is
// missing or stale. built says whether it ran a build. This is what the
// Pulumi program calls.
func Ensure(opts Options) (a Artifact, built bool, err error) {
	if err := opts.check(); err != nil {
		return Artifact{}, false, err
	}
	ok, err := UpToDate(opts)
	if err != nil {
		return Artifact{}, false, err
	}
	if ok {
		a, err := Read(opts.OutPath)
		return a, false, err
	}
	a, err = Build(opts)
	return a, err == nil, err
}
