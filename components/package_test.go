package components

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPackageConverterUsesThePrebuiltZip(t *testing.T) {
	zip := testZip(t)
	b, err := os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	var logged []string
	a, err := PackageConverter(t.TempDir(), Config{ConverterZip: zip}, func(f string, args ...any) { logged = append(logged, f) })
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
	rel, err := PackageConverter(dir, Config{ConverterZip: filepath.Base(zip)}, func(string, ...any) {})
	if err != nil || rel.SHA256 != a.SHA256 {
		t.Errorf("relative prebuilt zip: %+v %v", rel, err)
	}
}
