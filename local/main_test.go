package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
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

// command is a running `local` command.
type command struct {
	base   string // the gallery URL, e.g. http://127.0.0.1:PORT/
	logs   *logSink
	cancel context.CancelFunc
	done   chan error // run's result
}

// startCommand runs the command on a free loopback port with the dev stack
// file, the sample photos and extra flags, and waits for its gallery URL.
func startCommand(t *testing.T, extra ...string) *command {
	t.Helper()
	if _, err := stack.FindVersity(); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("IMGCELLS_REQUIRE_TOOLS=1 but %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	c := &command{logs: &logSink{gallery: make(chan string, 1)}, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	args := append([]string{"-stack-file", "../Pulumi.dev.yaml", "-images", "../testdata/photos",
		"-addr", "127.0.0.1:0", "-replication-lag", "100ms"}, extra...)
	go func() { c.done <- run(ctx, args, c.logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-c.done:
			_ = err // a test that cares has read it already and put it back
		case <-time.After(30 * time.Second):
			t.Error("run did not stop within 30s of its context")
		}
	})
	select {
	case c.base = <-c.logs.gallery:
	case err := <-c.done:
		c.done <- err // for the cleanup
		t.Fatalf("run ended early: %v\n%s", err, c.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("no gallery URL after 60s:\n%s", c.logs)
	}
	return c
}

// The command as a newcomer runs it: flags, the dev stack file, the sample
// photos, a gallery and an image through the stack, one log line per
// request, and a clean stop.
func TestCommandServesTheGalleryAndImages(t *testing.T) {
	c := startCommand(t)
	page := get(t, c.base, "text/html")
	if n := strings.Count(page, "<img "); n == 0 {
		t.Errorf("gallery has no images:\n%s", page)
	}
	get(t, c.base+"photo.jpg?width=300", "image/webp,*/*")
	c.cancel()
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop within 30s of its context")
	}
	if !requestLine.MatchString(c.logs.String()) {
		t.Errorf("no log line for the image request:\n%s", c.logs)
	}
}

// A connection left idle is closed by the server within -idle-timeout:
// one kept alive after a request, and one that never sends a header.
// Before, a kept-alive connection stayed open for as long as the client
// held it.
func TestCommandClosesIdleConnections(t *testing.T) {
	c := startCommand(t, "-idle-timeout", "300ms")
	u, err := url.Parse(c.base)
	if err != nil {
		t.Fatal(err)
	}
	for _, sendRequest := range []bool{true, false} {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		if sendRequest {
			if _, err := io.WriteString(conn, "GET /_local/deliveries HTTP/1.1\r\nHost: "+u.Host+"\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close() // read in full
			if resp.StatusCode != http.StatusOK || resp.Close {
				t.Fatalf("%d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
			}
		}
		// Generous: the server's 300ms, plus a loaded machine's delays.
		if err := conn.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
			t.Fatal(err)
		}
		n, err := r.Read(make([]byte, 1))
		if !errors.Is(err, io.EOF) {
			t.Errorf("after a request %v: the idle connection read %d bytes, %v; want the server to close it", sendRequest, n, err)
		}
	}
}

var versityPID = regexp.MustCompile(`versitygw pid (\d+)`)

// When the S3 server dies under it, the command says why and exits with an
// error instead of serving 500s and logging replication retries.
func TestCommandExitsWhenTheS3ServerDies(t *testing.T) {
	c := startCommand(t, "-replication-lag", "10ms")
	m := versityPID.FindStringSubmatch(c.logs.String())
	if m == nil {
		t.Fatalf("the start line names no versitygw pid:\n%s", c.logs)
	}
	pid, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil { // the versitygw this test's command started
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		if err == nil || !strings.Contains(err.Error(), "versitygw, pid "+m[1]+") exited") {
			t.Errorf("run: %v, want an error saying the S3 server exited", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("run still serving 30s after its S3 server died:\n%s", c.logs)
	}
	if n := strings.Count(c.logs.String(), "replication: "); n > 1 {
		t.Errorf("%d replication failures logged:\n%s", n, c.logs)
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
		{[]string{"-idle-timeout", "0s"}, "-idle-timeout must be positive"},
		{[]string{"-max-inline-bytes", "-1"}, "-max-inline-bytes must not be negative"},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error mentioning %q", c.args, err, c.want)
		}
	}
}
