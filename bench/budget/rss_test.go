package main

import (
	"os"
	"testing"
)

// The test binary serves as the child, as the budget command does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		os.Exit(child(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// A child's peak RSS is its own, however large the parent: the rusage of
// a Go child's wait reports the parent's peak when the parent is larger.
func TestChildPeakIsTheChilds(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs Linux's /proc")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Make this process much larger than a small conversion needs.
	const parent = 300 << 20
	ballast := make([]byte, parent)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1
	}
	s := stack{"test", 1024, 40_000_000}
	file, variant := "../../testdata/photos/photo.jpg", "format=webp,quality=75,width=64"
	r, rss, err := cold(self, s, file, variant)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 {
		t.Fatalf("the child answered %d %s", r.Status, r.Reason)
	}
	if rss <= 0 || rss >= parent/2 {
		t.Errorf("cold: peak RSS %d MB, want the child's own (well under this process's %d MB)", rss>>20, parent>>20)
	}
	peak, err := warmRun(self, s, "../../testdata/photos", []class{{"photo", "photo.jpg", variant, ""}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if peak <= 0 || peak >= parent/2 {
		t.Errorf("warm: peak RSS %d MB, want the child's own (well under this process's %d MB)", peak>>20, parent>>20)
	}
	ballast[0]++
}
