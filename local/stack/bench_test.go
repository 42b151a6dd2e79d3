package stack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func benchStack(b *testing.B) *Stack {
	b.Helper()
	if _, err := FindVersity(); err != nil {
		b.Skipf("skipping: %v", err)
	}
	dir := imagesDir(b, "photo.jpg")
	st, err := New(context.Background(), Config{
		Regions: []string{"us-east-1", "eu-west-1"}, Images: dir,
		ReplicationLag: 1 << 62, Logf: func(string, ...any) {},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := st.Close(); err != nil {
			b.Error(err)
		}
	})
	return st
}

// benchTarget is the request every benchmark sends: one variant of one photo.
const benchTarget = "/photo.jpg?width=640"

// serve sends benchTarget to st and expects a 200.
func serve(b *testing.B, st *Stack) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, benchTarget, nil)
	req.Header.Set("Accept", "image/webp,*/*")
	rec := httptest.NewRecorder()
	st.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", benchTarget, rec.Code, rec.Body.String())
	}
	return rec
}

// BenchmarkServeHit is an edge-cache hit: the edge function plus the cache.
func BenchmarkServeHit(b *testing.B) {
	st := benchStack(b)
	serve(b, st)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, st)
	}
}

// BenchmarkServeFromBucket is an edge miss served by the transformed bucket.
func BenchmarkServeFromBucket(b *testing.B) {
	st := benchStack(b)
	serve(b, st)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		st.PurgeCaches()
		b.StartTimer()
		serve(b, st)
	}
}

// BenchmarkServeColdMiss is a miss everywhere: S3 404, failover, the
// converter reading, converting and storing.
func BenchmarkServeColdMiss(b *testing.B) {
	st := benchStack(b)
	rec := serve(b, st)
	key := rec.Header().Get(KeyHeader)[1:]
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := st.DeleteVariant(context.Background(), key); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		serve(b, st)
	}
}
