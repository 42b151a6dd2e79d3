package lambdazip_test

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"imgcells/converter/lambdazip"
	"imgcells/converter/store/storetest"
)

func moduleDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// bootstrapOf checks the zip holds exactly one entry, `bootstrap`, mode 0755,
// and returns its bytes.
func bootstrapOf(t *testing.T, zipPath string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		t.Fatalf("zip holds %q, want only bootstrap", names)
	}
	f := zr.File[0]
	if f.Mode().Perm() != 0o755 || !f.Mode().IsRegular() {
		t.Errorf("bootstrap mode %v, want -rwxr-xr-x", f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkStaticELF checks the binary is for machine and has no dynamic
// loader or shared-library dependencies (AL2023's glibc must not matter).
func checkStaticELF(t *testing.T, exe []byte, machine elf.Machine) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatalf("bootstrap is not ELF: %v", err)
	}
	if f.Machine != machine {
		t.Errorf("machine %v, want %v", f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap has a dynamic loader (PT_INTERP): not statically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("bootstrap needs shared libraries %v", libs)
	}
}

func TestBuildIsReproducibleAndStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap twice")
	}
	dir := t.TempDir()
	opts := lambdazip.Options{ModuleDir: moduleDir(t), Arch: "amd64", OutPath: filepath.Join(dir, "a", "converter.zip")}
	opts2 := opts
	opts2.OutPath = filepath.Join(dir, "b", "converter.zip")
	var a, b lambdazip.Artifact
	// Others may edit the converter while this runs: compare two builds of
	// the same inputs (equal stamps), retrying when an edit fell between.
	for try := 0; ; try++ {
		var err error
		if a, err = lambdazip.Build(opts); err != nil {
			t.Fatal(err)
		}
		if b, err = lambdazip.Build(opts2); err != nil {
			t.Fatal(err)
		}
		sa, _ := os.ReadFile(opts.OutPath + ".inputs")
		sb, _ := os.ReadFile(opts2.OutPath + ".inputs")
		if bytes.Equal(sa, sb) {
			break
		}
		if try == 2 {
			t.Fatal("the sources changed during each of three build pairs")
		}
	}
	stampA, _ := os.ReadFile(opts.OutPath + ".inputs")
	za, _ := os.ReadFile(a.Path)
	zb, _ := os.ReadFile(b.Path)
	if a.SHA256 != b.SHA256 || !bytes.Equal(za, zb) {
		t.Fatalf("two builds of the same sources differ: %s vs %s", a.SHA256, b.SHA256)
	}
	if r, err := lambdazip.Read(a.Path); err != nil || r != a {
		t.Errorf("Read = %+v, %v; want %+v", r, err, a)
	}
	checkStaticELF(t, bootstrapOf(t, a.Path), elf.EM_X86_64)

	// The stamp makes the zip up to date; a changed stamp makes it stale.
	if ok, err := lambdazip.UpToDate(opts); err != nil || !ok {
		t.Fatalf("UpToDate right after Build = %v, %v", ok, err)
	}
	if got, built, err := lambdazip.Ensure(opts); err != nil || built || got != a {
		t.Fatalf("Ensure on a fresh zip: %+v built=%v err=%v; want no rebuild", got, built, err)
	}
	if err := os.WriteFile(opts.OutPath+".inputs", []byte("stale\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, _ := lambdazip.UpToDate(opts); ok {
		t.Fatal("UpToDate with a stale stamp")
	}
	got, built, err := lambdazip.Ensure(opts)
	if err != nil || !built {
		t.Fatalf("Ensure on a stale zip: built=%v err=%v; want a rebuild", built, err)
	}
	if stamp, _ := os.ReadFile(opts.OutPath + ".inputs"); bytes.Equal(stamp, stampA) && got.SHA256 != a.SHA256 {
		t.Fatalf("rebuild of the same sources gave %s, first build %s", got.SHA256, a.SHA256)
	}
}

// TestArm64BootstrapUnderQEMU cross-builds the arm64 zip Lambda runs and
// starts it under qemu-user-static: it must start and fail cleanly naming
// the first missing variable.
func TestArm64BootstrapUnderQEMU(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the bootstrap")
	}
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		storetest.SkipOrFail(t, "aarch64-linux-gnu-gcc not on PATH (scripts/deps.sh build)")
	}
	qemu, err := exec.LookPath("qemu-aarch64-static")
	if err != nil {
		storetest.SkipOrFail(t, "qemu-aarch64-static not on PATH (apt-get install qemu-user-static)")
	}
	a, err := lambdazip.Build(lambdazip.Options{ModuleDir: moduleDir(t), Arch: "arm64", OutPath: filepath.Join(t.TempDir(), "converter-arm64.zip")})
	if err != nil {
		t.Fatal(err)
	}
	exe := bootstrapOf(t, a.Path)
	checkStaticELF(t, exe, elf.EM_AARCH64)
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	for missing, env := range map[string][]string{
		"AWS_REGION": nil,
		"IMGCELLS_ORIGIN_VERIFY_SECRET": {"AWS_REGION=eu-west-1", "IMGCELLS_SOURCE_BUCKET=s", "IMGCELLS_PRIMARY_SOURCE_BUCKET=p",
			"IMGCELLS_PRIMARY_REGION=us-east-1", "IMGCELLS_TRANSFORMED_BUCKET=t"},
	} {
		cmd := exec.Command(qemu, bin)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("without %s: exit %v, want status 1; output %s", missing, err, out)
		}
		if !strings.Contains(string(out), missing) || !strings.Contains(string(out), `"level":"ERROR"`) {
			t.Errorf("without %s: output %s, want a JSON error line naming it", missing, out)
		}
	}
}
