package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/chai2010/webp"

	"imgcells/converter"
	"imgcells/converter/httpapi"
	"imgcells/converter/store"
)

const secret = "test-origin-verify-secret-0123456789"

// fixture loads an API Gateway HTTP API (payload 2.0) event from testdata.
func fixture(t *testing.T, name string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var e events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e
}

// withPath returns e asking for path (decoded, as API Gateway delivers it).
func withPath(e events.APIGatewayV2HTTPRequest, path string) events.APIGatewayV2HTTPRequest {
	e.RawPath, e.RequestContext.HTTP.Path = path, path
	return e
}

func photo(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type harness struct {
	h    *httpapi.Handler
	mem  *store.Memory
	logs *bytes.Buffer
}

func newHarness(t *testing.T, tweak func(*httpapi.Config)) harness {
	t.Helper()
	mem := store.NewMemory()
	mem.PutReplica("products/photo.jpg", photo(t, "photo.jpg"))
	logs := &bytes.Buffer{}
	cfg := httpapi.Config{
		Originals: mem, Variants: mem, OriginVerifySecret: secret,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	h, err := httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return harness{h: h, mem: mem, logs: logs}
}

func (hs harness) do(t *testing.T, e events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := hs.h.Handle(context.Background(), e)
	if err != nil {
		t.Fatalf("Handle returned a Go error: %v", err)
	}
	return resp
}

// lastLog decodes the handler's last JSON log line.
func (hs harness) lastLog(t *testing.T) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(hs.logs.String()), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("log line %q: %v", lines[len(lines)-1], err)
	}
	return m
}

func TestGetConvertsStoresAndReturnsWebP(t *testing.T) {
	hs := newHarness(t, nil)
	resp := hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if !resp.IsBase64Encoded {
		t.Fatal("image body is not marked base64")
	}
	body, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := webp.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("body is not WebP: %v", err)
	}
	if cfg.Width != 240 || cfg.Height != 135 {
		t.Errorf("got %dx%d, want 240x135 (480x270 scaled to width 240)", cfg.Width, cfg.Height)
	}
	want := map[string]string{
		"content-type":   "image/webp",
		"cache-control":  store.CacheControl,
		"content-length": strconv.Itoa(len(body)),
	}
	for k, v := range want {
		if resp.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, resp.Headers[k], v)
		}
	}
	for _, m := range []string{"fetch;dur=", "convert;dur=", "store;dur="} {
		if !strings.Contains(resp.Headers["server-timing"], m) {
			t.Errorf("server-timing %q lacks %s", resp.Headers["server-timing"], m)
		}
	}
	stored, ok := hs.mem.Variant("products/photo.jpg/format=webp,quality=75,width=240")
	if !ok {
		t.Fatal("variant not stored under its variant key")
	}
	if !bytes.Equal(stored.Data, body) || stored.ContentType != "image/webp" {
		t.Errorf("stored %d bytes of %s, served %d bytes", len(stored.Data), stored.ContentType, len(body))
	}
	log := hs.lastLog(t)
	for k, v := range map[string]any{"key": "products/photo.jpg", "variant": "format=webp,quality=75,width=240",
		"status": float64(200), "source": "replica", "bytes_out": float64(len(body)), "request_id": "Ab1CdEfGhIjKlMn="} {
		if log[k] != v {
			t.Errorf("log %s = %v, want %v", k, log[k], v)
		}
	}
}

func TestHeadAnswersHeadersWithoutBody(t *testing.T) {
	hs := newHarness(t, nil)
	resp := hs.do(t, fixture(t, "head.json"))
	if resp.StatusCode != http.StatusOK || resp.Body != "" || resp.IsBase64Encoded {
		t.Fatalf("HEAD: status %d, body %d chars, base64 %v; want 200 with no body", resp.StatusCode, len(resp.Body), resp.IsBase64Encoded)
	}
	stored, ok := hs.mem.Variant("products/photo.jpg/format=webp,quality=75,width=240")
	if !ok {
		t.Fatal("HEAD did not store the variant")
	}
	if resp.Headers["content-length"] != strconv.Itoa(len(stored.Data)) || resp.Headers["content-type"] != "image/webp" {
		t.Errorf("HEAD headers %v, want the stored variant's length %d and type", resp.Headers, len(stored.Data))
	}
}

func TestOriginVerifySecret(t *testing.T) {
	hs := newHarness(t, nil)
	wrong := fixture(t, "get.json")
	wrong.Headers["x-origin-verify"] = secret[:len(secret)-1] + "X"
	upper := fixture(t, "no-secret.json")
	upper.Headers["X-Origin-Verify"] = secret

	for name, e := range map[string]events.APIGatewayV2HTTPRequest{"missing": fixture(t, "no-secret.json"), "wrong": wrong} {
		resp := hs.do(t, e)
		if resp.StatusCode != http.StatusForbidden || resp.Headers["cache-control"] != "no-store" {
			t.Errorf("%s secret: status %d cache-control %q, want 403 no-store", name, resp.StatusCode, resp.Headers["cache-control"])
		}
		if strings.Contains(resp.Body, secret) {
			t.Errorf("%s secret: the body leaks the secret", name)
		}
	}
	if n := hs.mem.VariantCount(); n != 0 {
		t.Fatalf("refused requests stored %d variants", n)
	}
	if resp := hs.do(t, upper); resp.StatusCode != http.StatusOK {
		t.Errorf("secret under a mixed-case header name: status %d, want 200", resp.StatusCode)
	}
}

func TestClientErrors(t *testing.T) {
	hs := newHarness(t, nil)
	base := fixture(t, "get.json")
	cases := []struct {
		path   string
		status int
	}{
		{"/products/photo.jpg/format=webp,width=240", http.StatusBadRequest},             // quality missing
		{"/products/photo.jpg/format=webp,quality=075,width=240", http.StatusBadRequest}, // leading zero
		{"/products/photo.jpg/width=240,format=webp,quality=75", http.StatusBadRequest},  // out of order
		{"/products/photo.jpg", http.StatusBadRequest},                                   // no variant
		{"/products/../photo.jpg/format=png", http.StatusBadRequest},
		{"/products/missing.jpg/format=webp,quality=75,width=240", http.StatusNotFound},
	}
	for _, c := range cases {
		resp := hs.do(t, withPath(base, c.path))
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d (%q), want %d", c.path, resp.StatusCode, resp.Body, c.status)
			continue
		}
		if resp.Headers["cache-control"] != "public, max-age=30" {
			t.Errorf("%s: cache-control %q, want a short public max-age", c.path, resp.Headers["cache-control"])
		}
		if resp.IsBase64Encoded || !strings.HasSuffix(resp.Body, "\n") || len(resp.Body) < 5 {
			t.Errorf("%s: body %q, want the public reason as text", c.path, resp.Body)
		}
	}
	if n := hs.mem.VariantCount(); n != 0 {
		t.Fatalf("client errors stored %d variants", n)
	}
}

func TestFallsBackToPrimarySource(t *testing.T) {
	hs := newHarness(t, nil)
	hs.mem.PutPrimary("new/upload.png", photo(t, "photo.png"))
	resp := hs.do(t, withPath(fixture(t, "get.json"), "/new/upload.png/format=png,width=120"))
	if resp.StatusCode != http.StatusOK || resp.Headers["content-type"] != "image/png" {
		t.Fatalf("status %d type %q: %s", resp.StatusCode, resp.Headers["content-type"], resp.Body)
	}
	if got := hs.lastLog(t)["source"]; got != "primary" {
		t.Errorf("log source %v, want primary", got)
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	mem := store.NewMemory()
	for name, cfg := range map[string]httpapi.Config{
		"no originals": {Variants: mem, OriginVerifySecret: secret},
		"no variants":  {Originals: mem, OriginVerifySecret: secret},
		"no secret":    {Originals: mem, Variants: mem},
	} {
		if _, err := httpapi.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := httpapi.New(httpapi.Config{Originals: mem, Variants: mem, OriginVerifySecret: secret, Limits: converter.DefaultLimits()}); err != nil {
		t.Errorf("complete config: %v", err)
	}
}
