package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"imgcells/local/stack"
)

// logSink collects the command's log and reports the gallery URL once
// it is printed.
type logSink struct {
	mu      sync.Mutex
	buf     strings.Builder
	gallery chan string
}

var galleryLine = regexp.MustCompile(`gallery: (http://\S+)`)

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if m := galleryLine.FindSubmatch(p); m != nil {
		l.gallery <- string(m[1])
	}
	return len(p), nil
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// The command as a newcomer runs it: flags, the dev stack file, the sample
// photos, a gallery and an image through the stack, one log line per
// request, and a clean stop.
func TestCommandServesTheGalleryAndImages(t *testing.T) {
	if _, err := stack.FindVersity(); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("IMGCELLS_REQUIRE_TOOLS=1 but %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	logs := &logSink{gallery: make(chan string, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-stack-file", "../Pulumi.dev.yaml", "-images", "../testdata/photos",
			"-addr", "127.0.0.1:0", "-replication-lag", "100ms"}, logs)
	}()
	var base string
	select {
	case base = <-logs.gallery:
	case err := <-done:
		t.Fatalf("run ended early: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("no gallery URL after 60s:\n%s", logs)
	}

	page := get(t, base, "text/html")
	if n := strings.Count(page, "<img "); n == 0 {
		t.Errorf("gallery has no images:\n%s", page)
	}
	get(t, base+"photo.jpg?width=300", "image/webp,*/*")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop within 30s of its context")
	}
	if !requestLine.MatchString(logs.String()) {
		t.Errorf("no log line for the image request:\n%s", logs)
	}
}

// requestLine is the log line of the image request: viewer URL → variant
// key, region, miss, origin, failover and timings.
var requestLine = regexp.MustCompile(`GET /photo\.jpg\?width=300 → /photo\.jpg/format=webp,quality=\d+,width=\d+ \[[a-z0-9-]+\] Miss 200 origin=converter failover="s3 404" image/webp \d+B edge=\S+ s3=\S+ convert=\S+ total=\S+`)

func get(t *testing.T, url, accept string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(body)
}

// Mistakes in the flags are errors that say what to do, before anything
// starts.
func TestCommandRefusesBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-stack", "nope"}, "Pulumi.nope.yaml"},
		{[]string{"-stack-file", "../Pulumi.dev.yaml", "-images", "/no/such/folder"}, "is not a folder"},
		{[]string{"-no-such-flag"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error mentioning %q", c.args, err, c.want)
		}
	}
}
