package lambdazip_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"imgcells/converter/lambdazip"
)

// fakeModule writes a minimal module tree whose sources SourceHash covers.
func fakeModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                          "module imgcells\n",
		"go.sum":                          "",
		"converter/convert.go":            "package converter\n",
		"converter/convert_test.go":       "package converter\n",
		"converter/testdata/big.jpg":      "jpeg",
		"converter/internal/c/shim.c":     "int x;\n",
		"converter/cmd/bootstrap/main.go": "package main\n",
		"README.md":                       "docs\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSourceHashTracksBuildInputsOnly(t *testing.T) {
	dir := fakeModule(t)
	opts := lambdazip.Options{ModuleDir: dir, Arch: "arm64", OutPath: filepath.Join(dir, "dist", "c.zip")}
	base, err := lambdazip.SourceHash(opts)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := lambdazip.SourceHash(opts); again != base {
		t.Fatal("SourceHash is not stable")
	}
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Tests, test data and files outside converter/ do not change the binary.
	write("converter/convert_test.go", "package converter // edited\n")
	write("converter/testdata/big.jpg", "other jpeg")
	write("README.md", "more docs\n")
	if h, _ := lambdazip.SourceHash(opts); h != base {
		t.Error("SourceHash changed for a test, test data or README edit")
	}
	// Each build input does.
	for _, name := range []string{"converter/convert.go", "converter/internal/c/shim.c", "converter/cmd/bootstrap/main.go", "go.sum", "go.mod"} {
		before, _ := lambdazip.SourceHash(opts)
		write(name, "// changed "+name+"\n")
		if after, _ := lambdazip.SourceHash(opts); after == before {
			t.Errorf("SourceHash ignores %s", name)
		}
	}
	amd := opts
	amd.Arch = "amd64"
	h1, _ := lambdazip.SourceHash(opts)
	h2, _ := lambdazip.SourceHash(amd)
	if h1 == h2 {
		t.Error("SourceHash ignores the architecture")
	}
	if ok, err := lambdazip.UpToDate(opts); err != nil || ok {
		t.Errorf("UpToDate with no zip = %v, %v", ok, err)
	}
}

func TestBuildRefusesBadOptions(t *testing.T) {
	dir := fakeModule(t)
	for name, o := range map[string]lambdazip.Options{
		"arch":      {ModuleDir: dir, Arch: "386", OutPath: filepath.Join(dir, "x.zip")},
		"no out":    {ModuleDir: dir, Arch: "amd64"},
		"no go.mod": {ModuleDir: t.TempDir(), Arch: "amd64", OutPath: filepath.Join(dir, "x.zip")},
	} {
		if _, err := lambdazip.Build(o); err == nil {
			t.Errorf("%s: Build accepted %+v", name, o)
		}
	}
}

// TestMissingCrossCompilerSaysWhatToInstall runs Build with a PATH that has
// go but no cross compiler.
func TestMissingCrossCompilerSaysWhatToInstall(t *testing.T) {
	cross := "arm64"
	if runtime.GOARCH == "arm64" {
		cross = "amd64"
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	goBin := filepath.Join(strings.TrimSpace(string(goroot)), "bin")
	t.Setenv("PATH", goBin)
	dir := fakeModule(t)
	_, err = lambdazip.Build(lambdazip.Options{ModuleDir: dir, Arch: cross, OutPath: filepath.Join(dir, "x.zip")})
	if err == nil {
		t.Fatal("Build succeeded without a cross compiler")
	}
	for _, want := range []string{"gcc", "libaom-dev:" + cross, "libpng-dev:" + cross, "zlib1g-dev:" + cross, "dpkg --add-architecture", lambdazip.PrebuiltConfigKey} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// TestMissingCLibrarySaysWhatToInstall builds a module whose cgo link needs
// a library that is not there: a Debian package's, whose error names the
// packages to install, or one scripts/deps.sh builds from source into
// .deps/, whose error says so; both name the prebuilt-zip option, and keep
// the linker's output.
func TestMissingCLibrarySaysWhatToInstall(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not on PATH")
	}
	for _, c := range []struct{ ldflags, want string }{
		{"-lpng_imgcells_absent", "C library|libaom-dev|libpng-dev|zlib1g-dev|png_imgcells_absent"},
		{"${SRCDIR}/.deps/libjpeg-turbo-absent/lib/libjpeg.a", "static libjpeg-turbo|scripts/deps.sh build|libjpeg-turbo-absent"},
	} {
		dir := fakeModule(t)
		main := "package main\n\n// #cgo LDFLAGS: " + c.ldflags + "\nimport \"C\"\n\nfunc main() {}\n"
		if err := os.WriteFile(filepath.Join(dir, "converter", "cmd", "bootstrap", "main.go"), []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := lambdazip.Build(lambdazip.Options{ModuleDir: dir, Arch: runtime.GOARCH, OutPath: filepath.Join(dir, "x.zip")})
		if err == nil {
			t.Fatalf("Build linked against %s, which does not exist", c.ldflags)
		}
		for _, want := range append(strings.Split(c.want, "|"), lambdazip.PrebuiltConfigKey) {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error does not mention %q:\n%v", c.ldflags, want, err)
			}
		}
	}
}

// The bootstrap imports packages outside converter/ (contract/, purge/): an
// edit there changes the binary, so it changes the hash; a package the
// bootstrap does not import does not.
func TestSourceHashFollowsImportsOutsideConverter(t *testing.T) {
	dir := fakeModule(t)
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("converter/cmd/bootstrap/main.go", "package main\n\nimport _ \"imgcells/purge\"\n\nfunc main() {}\n")
	write("purge/purge.go", "package purge\n\nimport _ \"imgcells/contract\"\n")
	write("contract/env.go", "package contract\n")
	write("unused/unused.go", "package unused\n")
	opts := lambdazip.Options{ModuleDir: dir, Arch: "arm64", OutPath: filepath.Join(dir, "dist", "c.zip")}
	base, err := lambdazip.SourceHash(opts)
	if err != nil {
		t.Fatal(err)
	}
	write("unused/unused.go", "package unused // edited\n")
	write("purge/purge_test.go", "package purge\n")
	if h, _ := lambdazip.SourceHash(opts); h != base {
		t.Error("SourceHash changed for a package the bootstrap does not import, or a test")
	}
	for _, name := range []string{"purge/purge.go", "contract/env.go", "contract/names.json"} {
		before, _ := lambdazip.SourceHash(opts)
		body := "package contract // " + name + "\n"
		if name == "purge/purge.go" {
			body = "package purge\n\nimport _ \"imgcells/contract\" // edited\n"
		}
		write(name, body)
		if after, err := lambdazip.SourceHash(opts); err != nil || after == before {
			t.Errorf("SourceHash ignores %s (%v)", name, err)
		}
	}
}
