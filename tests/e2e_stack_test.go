package tests

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "golang.org/x/image/webp"

	"imgcells/local/stack"
	"imgcells/verify"
)

// Real browsers' Accept headers for images (as sent for <img>).
const (
	acceptChrome  = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	acceptFirefox = "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	acceptSafari  = "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	acceptOldIE   = "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	acceptCurl    = "*/*"
)

// requireTool skips a test when an external tool is missing, unless
// IMGCELLS_REQUIRE_TOOLS=1 (CI), where it fails.
func requireTool(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
		t.Fatalf("IMGCELLS_REQUIRE_TOOLS=1 but %v", err)
	}
	t.Skipf("skipping: %v", err)
}

// browserType is the Content-Type Chrome, Firefox and Safari get from the
// stack: AVIF when it enables AVIF (the dev stack does), else WebP.
func (s *e2eStack) browserType() string { return "image/" + s.browserFormat() }

// browserFormat is the format of browserType, as variant keys name it.
func (s *e2eStack) browserFormat() string {
	if s.EdgeConfig().AVIF {
		return "avif"
	}
	return "webp"
}

// e2eStack is a local stack serving testdata/photos on a random loopback
// port, configured from Pulumi.dev.yaml. Replication waits an hour unless a
// test calls Replicate, so every test decides when replication catches up.
type e2eStack struct {
	*stack.Stack
	URL string
	t   testing.TB
}

func startStack(t testing.TB, adjust func(*stack.Config)) *e2eStack {
	t.Helper()
	_, err := stack.FindVersity()
	requireTool(t, err)
	file := os.Getenv("IMGCELLS_E2E_STACK_FILE") // default: the dev stack
	if file == "" {
		file = filepath.Join("..", "Pulumi.dev.yaml")
	}
	comp, err := stack.ReadStackFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg := stack.FromComponents(comp)
	if len(cfg.Regions) < 2 {
		t.Fatalf("Pulumi.dev.yaml has regions %v; these tests need two", cfg.Regions)
	}
	cfg.Images = filepath.Join("..", "testdata", "photos")
	cfg.ReplicationLag = time.Hour
	cfg.Logf = t.Logf
	if adjust != nil {
		adjust(&cfg)
	}
	st, err := stack.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	t.Cleanup(func() {
		srv.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return &e2eStack{Stack: st, URL: srv.URL, t: t}
}

// reply is one response as the viewer saw it.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) cache() string  { return r.Header.Get("X-Cache") }
func (r reply) origin() string { return r.Header.Get(stack.OriginHeader) }

// do sends a request for path (already percent-encoded as a browser would
// send it) from region ("" for the default) with an Accept header.
func (s *e2eStack) do(method, path, region, accept string) reply {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if region != "" {
		req.Header.Set(stack.RegionHeader, region)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

func (s *e2eStack) get(path, region, accept string) reply {
	s.t.Helper()
	return s.do(http.MethodGet, path, region, accept)
}

// mustImage checks a 200 image response of the given type and returns its
// decoded size.
func mustImage(t testing.TB, r reply, wantType string) image.Config {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.Status, truncate(r.Body))
	}
	if got := r.Header.Get("Content-Type"); got != wantType {
		t.Fatalf("Content-Type %q, want %q", got, wantType)
	}
	cfg, format, err := verify.DecodeConfig(r.Body)
	if err != nil {
		t.Fatalf("body does not decode: %v", err)
	}
	if "image/"+format != wantType {
		t.Fatalf("body is %s, Content-Type says %s", format, wantType)
	}
	if r.Header.Get("Vary") != "Accept" {
		t.Errorf("Vary = %q, want Accept", r.Header.Get("Vary"))
	}
	return cfg
}

// transformedKeys lists every variant stored in region's transformed bucket
// under the original key.
func (s *e2eStack) transformedKeys(ctx context.Context, region, original string) []string {
	s.t.Helper()
	keys, err := s.Keys(ctx, s.Buckets().Transformed(region), original+"/")
	if err != nil {
		s.t.Fatal(err)
	}
	return keys
}

// readPhoto reads a photo from testdata.
func readPhoto(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "photos", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func truncate(b []byte) string {
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.TrimSpace(s)
}

func decodeConfig(t testing.TB, data []byte) image.Config {
	t.Helper()
	cfg, _, err := verify.DecodeConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// snap is the breakpoint a requested width maps to: the first configured
// width at least as large, else the largest.
func (s *e2eStack) snap(n int) int {
	widths := s.EdgeConfig().Widths
	for _, w := range widths {
		if w >= n {
			return w
		}
	}
	return widths[len(widths)-1]
}

// key is the variant key the edge should produce for original at a
// requested width with the default quality.
func (s *e2eStack) key(original, format string, width int) string {
	return fmt.Sprintf("%s/format=%s,quality=%d,width=%d", original, format, s.EdgeConfig().DefaultQuality, s.snap(width))
}
