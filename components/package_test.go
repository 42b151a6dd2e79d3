package components

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"imgcells/components/stackconfig"
)

func TestPackageConverterUsesThePrebuiltZip(t *testing.T) {
	zip := testZip(t)
	b, err := os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	var logged []string
	a, err := PackageConverter(t.TempDir(), stackconfig.Config{ConverterZip: zip}, func(f string, _ ...any) { logged = append(logged, f) })
	if err != nil {
		t.Fatal(err)
	}
	if a.Path != zip || a.SHA256 != hex.EncodeToString(sum[:]) || a.Base64SHA256 == "" {
		t.Errorf("artifact %+v", a)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "prebuilt") {
		t.Errorf("no clear message about the prebuilt zip: %v", logged)
	}
	// A relative path is taken from the module directory.
	dir := filepath.Dir(zip)
	rel, err := PackageConverter(dir, stackconfig.Config{ConverterZip: filepath.Base(zip)}, func(string, ...any) {})
	if err != nil || rel.SHA256 != a.SHA256 {
		t.Errorf("relative prebuilt zip: %+v %v", rel, err)
	}
}

// Without a prebuilt zip the program builds the converter itself; building again from the
// same sources gives the same hash, so the Lambda shows no diff.
func TestDeployBuildsTheConverterZip(t *testing.T) {
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			t.Fatal("aarch64-linux-gnu-gcc is not on PATH (scripts/deps.sh build installs it)")
		}
		t.Skip("aarch64-linux-gnu-gcc is not on PATH; run scripts/deps.sh build to run")
	}
	raw := with(stackFile(t, "dev"), stackconfig.KeyConverterZip, "")
	var hashes []string
	for range 2 {
		d := mustPreview(t, "dev", raw)
		fns := d.ofType(tFunction)
		if len(fns) == 0 {
			t.Fatal("no functions")
		}
		h := str(fns[0].Inputs, "sourceCodeHash")
		for _, fn := range fns {
			if str(fn.Inputs, "sourceCodeHash") != h {
				t.Errorf("cells deploy different code")
			}
		}
		hashes = append(hashes, h)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, ConverterZipPath))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if want := base64.StdEncoding.EncodeToString(sum[:]); hashes[0] != want || hashes[1] != want {
		t.Errorf("source code hashes %v, want the zip's %s both times", hashes, want)
	}
}
