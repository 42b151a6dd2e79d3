package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunConvertsAndReports(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.webp")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-in", "../../../testdata/photos/photo.jpg", "-variant", "format=webp,quality=75,width=240", "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	var r report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("stdout %q is not one JSON line: %v", stdout.String(), err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Format != "webp" || r.Width != 240 || r.Height != 135 || r.Bytes != len(data) || !bytes.HasPrefix(data, []byte("RIFF")) {
		t.Fatalf("report %+v for a %d-byte file", r, len(data))
	}
}

// A tiny budget (a 192 MB function's share of a core, a 4.5 s timeout) makes
// a smaller PNG than the default budget does.
func TestRunTakesTheBudget(t *testing.T) {
	args := []string{"-in", "../../../testdata/photos/photo.jpg", "-variant", "format=png"}
	size := func(extra ...string) report {
		var stdout, stderr bytes.Buffer
		if code := run(append(args, extra...), &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d, %s", extra, code, stderr.String())
		}
		var r report
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	full, small := size(), size("-memory-mb", "192", "-timeout", "4500ms")
	if full.Width != 480 || small.Width >= full.Width {
		t.Errorf("default budget %dx%d, tiny budget %dx%d; want the full 480x270, then less", full.Width, full.Height, small.Width, small.Height)
	}
}

func TestRunRefusals(t *testing.T) {
	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-in", text, "-variant", "format=webp,quality=75"}, 1, "415 "},
		{[]string{"-in", "../../../testdata/photos/photo.jpg", "-variant", "format=webp"}, 1, "400 "},
		{[]string{"-in", "../../../testdata/photos/photo.jpg", "-variant", "format=png", "-max-pixels", "1000"}, 1, "413 "},
		{[]string{"-in", "missing.jpg", "-variant", "format=png"}, 2, "reading source"},
		{[]string{"-in", "../../../testdata/photos/photo.jpg", "-variant", "format=png", "-memory-mb", "128"}, 2, "-memory-mb"},
		{[]string{"-variant", "format=png"}, 2, "required"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d mentioning %q", c.args, code, stderr.String(), stdout.String(), c.code, c.want)
		}
	}
}
