package main

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "golang.org/x/image/webp"

	"imgcells/local/stack"
)

type localStack struct {
	*stack.Stack
	url string
	t   *testing.T
}

func startLocal(t *testing.T) *localStack {
	t.Helper()
	if _, err := stack.FindVersity(); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("IMGCELLS_REQUIRE_TOOLS=1 but %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	st, err := stack.New(context.Background(), stack.Config{
		Regions: []string{"us-east-1", "eu-west-1"}, ReplicationLag: time.Hour, Logf: t.Logf,
		PurgeConfig: stack.PurgeConfig{ConverterTimeout: 5 * time.Second},
	})
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
	return &localStack{Stack: st, url: srv.URL, t: t}
}

func photo(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shape is "portrait" or "landscape" for an image response, else its status.
func (s *localStack) shape(path, region string) string {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Accept", "image/webp,*/*")
	req.Header.Set(stack.RegionHeader, region)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.Status
	}
	cfg, _, err := image.DecodeConfig(&b)
	if err != nil {
		return "undecodable"
	}
	if cfg.Height > cfg.Width {
		return "portrait"
	}
	return "landscape"
}

// everywhere asks every region for path and returns the shapes served.
func (s *localStack) everywhere(path string) []string {
	var out []string
	for _, r := range s.Regions() {
		out = append(out, s.shape(path, r))
	}
	return out
}

func (s *localStack) purge(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"-outputs", s.url + "/_local/stack-output", "-wait", "2s", "-retry", "100ms"}, args...), &out, &errOut)
	s.t.Logf("imgpurge %v:\n%s%s", args, out.String(), errOut.String())
	return out.String(), err
}

// An original replaced without an event (nothing purged it): every region
// keeps serving the old photo until imgpurge runs, then serves the new one.
func TestPurgeByHandAgainstTheLocalStack(t *testing.T) {
	s := startLocal(t)
	ctx := context.Background()
	keys := []string{"products/shoe 1.jpg", "products/a+b.jpg", "banners/ünï.jpg"}
	paths := map[string]string{
		keys[0]: "/products/shoe%201.jpg?width=200", keys[1]: "/products/a%2Bb.jpg?width=200", keys[2]: "/banners/%C3%BCn%C3%AF.jpg?width=200",
	}
	for _, k := range keys {
		if err := s.Upload(ctx, k, photo(t, "photo.jpg")); err != nil {
			t.Fatal(err)
		}
		if got := s.everywhere(paths[k]); got[0] != "landscape" || got[1] != "landscape" {
			t.Fatalf("%s: %v before the overwrite", k, got)
		}
	}
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := s.Upload(ctx, k, photo(t, "portrait.jpg")); err != nil { // no event: nothing purges
			t.Fatal(err)
		}
	}
	if got := s.everywhere(paths[keys[0]]); got[0] != "landscape" || got[1] != "landscape" {
		t.Fatalf("the cached old photo is not served before the purge: %v", got)
	}

	out, err := s.purge(keys[0], keys[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "invalidated /products/a%2Bb.jpg/* /products/shoe%201.jpg/*") || strings.Count(out, "removed 2 variants") != 2 {
		t.Errorf("output:\n%s", out)
	}
	for _, k := range keys[:2] {
		if got := s.everywhere(paths[k]); got[0] != "portrait" || got[1] != "portrait" {
			t.Errorf("%s after the purge: %v", k, got)
		}
	}
	if got := s.everywhere(paths[keys[2]]); got[0] != "landscape" {
		t.Errorf("a key not named was purged: %v", got)
	}

	// A prefix: every original with variants under it.
	if out, err = s.purge("-prefix", "banners/"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1 originals with variants") || !strings.Contains(out, "invalidated /banners/*") {
		t.Errorf("output:\n%s", out)
	}
	if got := s.everywhere(paths[keys[2]]); got[0] != "portrait" || got[1] != "portrait" {
		t.Errorf("%s after the prefix purge: %v", keys[2], got)
	}

	// Again: nothing stale is left; -force removes the fresh variants too.
	if out, _ = s.purge(keys[0]); !strings.Contains(out, "removed 0 variants") || !strings.Contains(out, "fresh variants kept") {
		t.Errorf("output:\n%s", out)
	}
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	if out, _ = s.purge("-force", keys[0]); !strings.Contains(out, "removed 2 variants") {
		t.Errorf("output:\n%s", out)
	}
}

func TestPurgeByHandRefusesBadInput(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-outputs", "x.json"},
		{"-outputs", "x.json", "a//b.jpg"},
		{"-outputs", "x.json", "-prefix", ""},
		{"-outputs", filepath.Join(t.TempDir(), "missing.json"), "a.jpg"},
	} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	bad := filepath.Join(t.TempDir(), "outputs.json")
	if err := os.WriteFile(bad, []byte(`{"primarySourceBucket":"src"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-outputs", bad, "a.jpg"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "distributionId") {
		t.Errorf("outputs without the distribution: %v", err)
	}
}
