package store_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/converter/arrive"
	"imgcells/converter/store"
	"imgcells/converter/store/storetest"
)

const stall = 200 * time.Millisecond

// newStallingS3 is a primary-region cell whose S3 requests go through a
// StallProxy in front of versitygw, holding one original of 600 KB.
func newStallingS3(t *testing.T, plan func(n int) (bool, int)) (*store.S3, *storetest.StallProxy, []byte) {
	t.Helper()
	srv := storetest.Start(t)
	srv.CreateBuckets(t, primaryBucket, transformedBucket)
	data := bytes.Repeat([]byte("stalled original "), 600_000/17)
	srv.Put(t, primaryBucket, "photo.jpg", data, "image/jpeg")
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &storetest.StallProxy{Target: target, Plan: plan}
	proxy := httptest.NewServer(p)
	t.Cleanup(proxy.Close)
	st, err := store.NewS3(srv.AWSConfig(), store.S3Config{
		Region: srv.Region, SourceBucket: primaryBucket,
		PrimaryRegion: srv.Region, PrimarySourceBucket: primaryBucket,
		TransformedBucket: transformedBucket, Endpoint: proxy.URL,
		StallTimeout: stall,
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, p, data
}

// S3 advises making a slow request again rather than waiting for it: an
// original whose body stops arriving is asked for again from where it
// stopped (the same version only), and one whose answer does not start is
// asked for again, given twice as long.
func TestS3AsksAgainForAnOriginalThatStalls(t *testing.T) {
	for name, c := range map[string]struct {
		plan      func(n int) (bool, int)
		wantRange bool // the second GET asks for the rest, If-Match the first answer
	}{
		"body stops": {func(n int) (bool, int) {
			if n == 0 {
				return false, 200_000
			}
			return false, -1
		}, true},
		"no answer": {func(n int) (bool, int) { return n == 0, -1 }, false},
	} {
		t.Run(name, func(t *testing.T) {
			st, p, data := newStallingS3(t, c.plan)
			start := time.Now()
			got, err := st.GetOriginal(context.Background(), "photo.jpg", 1<<20)
			if err != nil || !bytes.Equal(got.Data, data) {
				t.Fatalf("GetOriginal = %d bytes, %v; want the %d bytes", len(got.Data), err, len(data))
			}
			if d := time.Since(start); d > 10*stall {
				t.Errorf("took %s with a %s stall timeout", d, stall)
			}
			if got.Retried != 1 {
				t.Errorf("Retried = %d, want 1", got.Retried)
			}
			gets := p.Requests()
			if len(gets) != 2 {
				t.Fatalf("%d GETs, want 2", len(gets))
			}
			rng, ifMatch := gets[1].Get("Range"), gets[1].Get("If-Match")
			if c.wantRange {
				if !strings.HasPrefix(rng, "bytes=") || rng == "bytes=0-" || ifMatch == "" {
					t.Errorf("the second GET had Range %q If-Match %q; want the rest of the same version", rng, ifMatch)
				}
			} else if rng != "" {
				t.Errorf("the second GET had Range %q; want the whole object again", rng)
			}
		})
	}
}

// An original S3 will not send is a 503 (asking again later may work),
// decided within a few stall timeouts, not at the conversion's deadline.
func TestS3GivesUpOnAnOriginalThatKeepsStalling(t *testing.T) {
	for name, plan := range map[string]func(n int) (bool, int){
		"body stops twice": func(n int) (bool, int) { return false, 100_000 + n },
		"never answers":    func(int) (bool, int) { return true, -1 },
	} {
		t.Run(name, func(t *testing.T) {
			st, _, _ := newStallingS3(t, plan)
			start := time.Now()
			_, err := st.GetOriginal(context.Background(), "photo.jpg", 1<<20)
			if status, _ := contract.StatusOf(err); status != http.StatusServiceUnavailable {
				t.Fatalf("GetOriginal = %v (status %d), want a 503", err, status)
			}
			if name == "body stops twice" && !errors.Is(err, arrive.ErrStalled) {
				t.Errorf("error %v, want it to wrap arrive.ErrStalled", err)
			}
			if d := time.Since(start); d > 10*stall {
				t.Errorf("gave up after %s with a %s stall timeout", d, stall)
			}
		})
	}
}

// A variant's write that S3 leaves hanging is given up on, in the stall
// timeout plus the upload at 1 MB/s, not at the function's timeout; the
// next miss converts again.
func TestS3GivesUpOnAStuckWrite(t *testing.T) {
	st, p, _ := newStallingS3(t, nil)
	p.HoldPuts = true
	start := time.Now()
	variant := bytes.Repeat([]byte{1}, 100_000)
	if _, err := st.PutVariant(context.Background(), "photo.jpg/format=webp", variant, "image/webp", "etag"); err == nil {
		t.Fatal("a write S3 never answered succeeded")
	}
	// 200 ms plus 0.1 s of upload at 1 MB/s.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %s, want about 0.3 s", d)
	}
}
