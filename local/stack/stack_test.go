package stack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// imagesDir is a fresh images folder holding testdata's photo.jpg under name.
func imagesDir(tb testing.TB, name string) string {
	tb.Helper()
	photo, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", "photo.jpg"))
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), photo, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func newTestStack(t *testing.T, cfg Config) *Stack {
	t.Helper()
	requireVersity(t)
	if len(cfg.Regions) == 0 {
		cfg.Regions = []string{"us-east-1", "eu-west-1"}
	}
	if cfg.Logf == nil {
		cfg.Logf = t.Logf
	}
	st, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return st
}

// Replication runs by itself: an upload reaches the other region's replica
// after the lag, not before.
func TestReplicationCatchesUpAfterTheLag(t *testing.T) {
	st := newTestStack(t, Config{ReplicationLag: 3 * time.Second, ReplicationTick: 50 * time.Millisecond})
	ctx := context.Background()
	if err := st.Upload(ctx, "up/new.jpg", []byte("data")); err != nil {
		t.Fatal(err)
	}
	replica := st.Buckets().Source("eu-west-1")
	keys, err := st.Keys(ctx, replica, "up/")
	if err != nil || len(keys) != 0 {
		t.Fatalf("replica has %q (%v) right after the upload", keys, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		keys, err = st.Keys(ctx, replica, "up/")
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 1 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("replica still has %q after 20s", keys)
}

// -s3-endpoint: the stack works against an S3 server it did not start.
func TestExternalS3Endpoint(t *testing.T) {
	srv := startServer(t)
	dir := imagesDir(t, "shoe.jpg")
	st := newTestStack(t, Config{
		S3:     ExternalS3(srv.Endpoint, srv.Region, srv.AccessKey, srv.SecretKey),
		Images: dir, BucketPrefix: "external",
	})
	if st.S3ServerPID() != 0 {
		t.Error("the stack claims a server it did not start")
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/shoe.jpg?width=100", nil)
	req.Header.Set("Accept", "image/webp")
	st.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/webp" {
		t.Fatalf("%d %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	if err := st.Settle(context.Background()); err != nil { // the store follows the answer
		t.Fatal(err)
	}
	keys, err := st.Keys(context.Background(), "external-transformed-us-east-1", "shoe.jpg/")
	if err != nil || len(keys) != 1 {
		t.Errorf("external server holds %q (%v), want the variant", keys, err)
	}
}

// Requests the distribution would refuse never reach the edge function.
func TestRefusesUnknownRegionAndMethods(t *testing.T) {
	st := newTestStack(t, Config{})
	cases := []struct {
		method, region string
		want           int
	}{
		{http.MethodGet, "mars-north-1", http.StatusBadRequest},
		{http.MethodPost, "", http.StatusForbidden},
		{http.MethodOptions, "", http.StatusForbidden},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(c.method, "/photo.jpg?width=100", nil)
		if c.region != "" {
			req.Header.Set(RegionHeader, c.region)
		}
		st.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s region %q: %d, want %d", c.method, c.region, rec.Code, c.want)
		}
	}
	if n := st.Conversions("us-east-1") + st.Conversions("eu-west-1"); n != 0 {
		t.Errorf("%d conversions for refused requests", n)
	}
}
