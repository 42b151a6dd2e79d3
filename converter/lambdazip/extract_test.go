package lambdazip

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestExtractWritesTheExecutableBootstrap(t *testing.T) {
	exe := []byte("\x7fELF not really, but bytes to get back")
	zipped, err := zipBootstrap(exe)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "converter.zip")
	if err := os.WriteFile(zipPath, zipped, 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := Extract(zipPath, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, exe) || filepath.Base(bin) != "bootstrap" || st.Mode().Perm()&0o100 == 0 {
		t.Errorf("extracted %s (%v): %q, want the executable bootstrap %q", bin, st.Mode(), got, exe)
	}
	if _, err := Extract(bin, dir); err == nil {
		t.Error("extracting from a file that is not a zip: no error")
	}
}
