package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const previewWorkflow = ".github/workflows/preview.yml"

// workflow is the part of a GitHub Actions workflow the preview job's build depends on.
type workflow struct {
	Jobs map[string]workflowJob `yaml:"jobs"`
}

type workflowJob struct {
	Env   map[string]string `yaml:"env"`
	Steps []struct {
		Name string `yaml:"name"`
		Run  string `yaml:"run"`
	} `yaml:"steps"`
}

// The PR preview runs in a golang container as root on a checkout that belongs to the
// runner's user, and Pulumi's Go language host builds the program with a plain
// `go build -o <tmp>` in it. Stamping VCS information then runs git, which refuses a
// repository owned by another user. This builds a copy of the project owned by nobody,
// as root, the way the language host does: first with a bare environment, which must
// fail as it did in CI (else the test proves nothing here), then with the preview job's
// env and its `git config` steps, which must succeed.
func TestPreviewBuildsACheckoutOwnedByAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to give the checkout to another user as CI does")
	}
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("git not found (IMGCELLS_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skip("git not found")
	}
	job := previewJob(t)
	tmp := t.TempDir()
	ws := filepath.Join(tmp, "checkout")
	copyProject(t, ".", ws)
	// A fresh repository of its own: git in ws must never reach this checkout's
	// repository (a worktree's .git is a file pointing at it, and is not copied).
	if _, err := os.Lstat(filepath.Join(ws, ".git")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the copy has a .git (%v): refusing to run git in it", err)
	}
	git(t, ws, "init", "-q")
	git(t, ws, "add", "-A")
	git(t, ws, "-c", "user.name=imgcells test", "-c", "user.email=test@imgcells.invalid", "commit", "-q", "-m", "checkout")
	chownTree(t, ws, 65534, 65534) // nobody

	// A fresh container: no go env file (this machine's may set GOFLAGS), no global
	// or system git config, but this machine's build and module caches (no network).
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "GOENV=off", "GIT_CONFIG_NOSYSTEM=1", "GOTOOLCHAIN=local", "GOPROXY=off",
		"GITHUB_WORKSPACE=" + ws, "PATH=" + os.Getenv("PATH")}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "CGO_ENABLED"} {
		env = append(env, k+"="+goEnv(t, k))
	}
	build := func(env []string) (string, error) {
		cmd := exec.Command("go", "build", "-o", filepath.Join(tmp, "program"), ".")
		cmd.Dir, cmd.Env = ws, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := build(env)
	if err == nil {
		t.Skip("this git builds a checkout owned by another user without complaint: nothing to reproduce")
	}
	if !strings.Contains(out, "error obtaining VCS status") {
		t.Fatalf("the bare build failed for another reason than VCS stamping:\n%s", out)
	}

	withJob := slices.Clone(env)
	for _, k := range sortedKeys(job.Env) {
		withJob = append(withJob, k+"="+job.Env[k])
	}
	for _, st := range job.Steps {
		if !strings.HasPrefix(strings.TrimSpace(st.Run), "git config") {
			continue
		}
		cmd := exec.Command("sh", "-ec", st.Run)
		cmd.Dir, cmd.Env = ws, withJob
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("step %q: %v\n%s", st.Name, err, out)
		}
	}
	if out, err := build(withJob); err != nil {
		t.Fatalf("with %s's env and git config steps, `go build` of a checkout owned by another user still fails "+
			"(set GOFLAGS=-buildvcs=false in the job env, or trust $GITHUB_WORKSPACE with git config safe.directory): %v\n%s",
			previewWorkflow, err, out)
	}
}

func previewJob(t *testing.T) workflowJob {
	t.Helper()
	b, err := os.ReadFile(previewWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", previewWorkflow, err)
	}
	job, ok := w.Jobs["preview"]
	if !ok {
		t.Fatalf("%s has no preview job", previewWorkflow)
	}
	return job
}

// copyProject copies the working tree (not .git, a directory or a worktree's file, nor
// build outputs) to dst.
func copyProject(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	from, err := os.OpenRoot(src)
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	to, err := os.OpenRoot(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer to.Close()
	skip := []string{".git", "dist", "bench/out", "bench/node_modules"}
	err = fs.WalkDir(from.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case slices.Contains(skip, rel) && d.IsDir():
			return fs.SkipDir
		case slices.Contains(skip, rel), strings.HasSuffix(rel, ".test"):
			return nil
		case d.IsDir():
			return to.MkdirAll(rel, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		b, err := from.ReadFile(rel)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return to.WriteFile(rel, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying the project: %v", err)
	}
}

func chownTree(t *testing.T, dir string, uid, gid int) {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	err = fs.WalkDir(root.FS(), ".", func(rel string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return root.Lchown(rel, uid, gid)
	})
	if err != nil {
		t.Fatalf("giving %s to uid %d: %v", dir, uid, err)
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
