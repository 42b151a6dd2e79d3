package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imgcells/edge"
)

func TestRendersTheCommittedStacks(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		var out, errs bytes.Buffer
		if code := run([]string{"-stack", stack, "-dir", "../.."}, &out, &errs); code != 0 {
			t.Fatalf("%s: exit %d: %s", stack, code, errs.String())
		}
		// Both committed stacks keep the default edge keys but turn AVIF on.
		cfg := edge.DefaultConfig()
		cfg.AVIF = true
		want, err := edge.Render(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s: rendered code differs from the default rendering", stack)
		}
	}
}

func TestRendersTheStacksEdgeSettings(t *testing.T) {
	dir := t.TempDir()
	writeStack(t, dir, "x", "config:\n  imgcells:regions: [us-east-1]\n  imgcells:widths: [100, 200]\n  imgcells:aspectRatios: [\"1:1\", \"3:2\"]\n"+
		"  imgcells:qualities: [40, 70]\n  imgcells:defaultQuality: 70\n  imgcells:signing: true\n"+
		"  imgcells:originVerifySecret:\n    secure: v1:AAAABBBBCCCC\n  aws:region: us-east-1\n")
	var out, errs bytes.Buffer
	if code := run([]string{"-stack", "x", "-dir", dir}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	want, err := edge.Render(edge.Config{Widths: []int{100, 200}, AspectRatios: []edge.AspectRatio{{W: 1, H: 1}, {W: 3, H: 2}},
		Qualities: []int{40, 70}, DefaultQuality: 70, Signing: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestRefusesAnInvalidStack(t *testing.T) {
	dir := t.TempDir()
	writeStack(t, dir, "bad", "config:\n  imgcells:regions: [us-east-1, eu-south-1]\n  imgcells:primaryRegion: us-east-1\n  imgcells:widths: [640, 320]\n")
	var out, errs bytes.Buffer
	if code := run([]string{"-stack", "bad", "-dir", dir}, &out, &errs); code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"imgcells:widths: must be strictly ascending", `imgcells:regions: "eu-south-1" is an opt-in region`} {
		if !strings.Contains(errs.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs.String())
		}
	}
	if out.Len() != 0 {
		t.Errorf("printed code for an invalid stack")
	}
	if code := run([]string{"-stack", "missing", "-dir", dir}, &out, &errs); code != 1 {
		t.Errorf("missing stack file: exit %d", code)
	}
}

func writeStack(t *testing.T, dir, stack, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
