package httpapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"imgcells/converter/httpapi"
	"imgcells/converter/store"
)

// FuzzHandlePath sends arbitrary decoded paths and methods: the answer is
// always a well-formed client response (200, 302 never as nothing is
// oversized, 400, 404, 405), never a 500 or a Go error.
func FuzzHandlePath(f *testing.F) {
	f.Add("GET", "/products/photo.jpg/format=webp,quality=75,width=240")
	f.Add("HEAD", "/products/photo.jpg/format=png,width=10,height=10,fit=cover")
	f.Add("GET", "/products/photo.jpg/format=jpeg,quality=1,width=16383,height=1")
	f.Add("GET", "//products/../photo.jpg/format=png")
	f.Add("POST", "/x/format=png")
	f.Add("GET", "/\x00/format=png")
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "variants.json"))
	if err != nil {
		f.Fatal(err)
	}
	var vectors struct {
		Paths []struct {
			Path string `json:"path"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &vectors); err != nil {
		f.Fatal(err)
	}
	for _, p := range vectors.Paths {
		f.Add("GET", p.Path)
	}

	mem := store.NewMemory()
	mem.PutReplica("products/photo.jpg", photo(f, "photo.jpg"))
	h, err := httpapi.New(httpapi.Config{
		Originals: mem, Variants: discard{}, OriginVerifySecret: secret,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		e := benchEvent("/")
		e.RawPath, e.RequestContext.HTTP.Path, e.RequestContext.HTTP.Method = path, path, method
		resp, err := h.Handle(context.Background(), e)
		if err != nil {
			t.Fatalf("Go error: %v", err)
		}
		switch resp.StatusCode {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed:
		default:
			t.Fatalf("%s %q: status %d (%q)", method, path, resp.StatusCode, resp.Body)
		}
		if resp.Headers["cache-control"] == "" || resp.Headers["content-type"] == "" {
			t.Fatalf("%s %q: headers %v lack cache-control or content-type", method, path, resp.Headers)
		}
	})
}
