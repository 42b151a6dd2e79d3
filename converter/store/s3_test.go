package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/converter/store"
	"imgcells/converter/store/storetest"
)

const (
	replicaBucket     = "src-replica"
	primaryBucket     = "src-primary"
	transformedBucket = "transformed"
)

// newS3 starts versitygw with the three buckets of a secondary-region cell.
func newS3(t *testing.T) (*storetest.Server, *store.S3) {
	t.Helper()
	srv := storetest.Start(t)
	srv.CreateBuckets(t, replicaBucket, primaryBucket, transformedBucket)
	st, err := store.NewS3(srv.AWSConfig(), store.S3Config{
		Region: srv.Region, SourceBucket: replicaBucket,
		PrimaryRegion: srv.Region, PrimarySourceBucket: primaryBucket,
		TransformedBucket: transformedBucket, Endpoint: srv.Endpoint,
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, st
}

// The primary source bucket decides which version is current; the replica's
// copy is read only when it is that version.
func TestS3ReadsTheReplicaOnlyWhenItIsCurrent(t *testing.T) {
	srv, st := newS3(t)
	ctx := context.Background()
	srv.Put(t, replicaBucket, "same.jpg", []byte("same bytes"), "image/jpeg")
	srv.Put(t, primaryBucket, "same.jpg", []byte("same bytes"), "image/jpeg")
	srv.Put(t, replicaBucket, "overwritten.jpg", []byte("old photo"), "image/jpeg")
	srv.Put(t, primaryBucket, "overwritten.jpg", []byte("new photo"), "image/jpeg")
	srv.Put(t, primaryBucket, "lagging/new.png", []byte("only in primary"), "image/png")
	srv.Put(t, replicaBucket, "deleted.jpg", []byte("taken down"), "image/jpeg")

	for _, c := range []struct {
		key, data string
		source    store.Source
	}{
		{"same.jpg", "same bytes", store.FromReplica},
		{"overwritten.jpg", "new photo", store.FromPrimary},
		{"lagging/new.png", "only in primary", store.FromPrimary},
	} {
		got, err := st.GetOriginal(ctx, c.key, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		if got.Source != c.source || string(got.Data) != c.data || !got.Verified || got.ETag != store.ETag([]byte(c.data)) {
			t.Errorf("%s: got %s %q verified=%v etag %q; want %s %q, verified, its ETag", c.key, got.Source, got.Data, got.Verified, got.ETag, c.source, c.data)
		}
	}

	// A delete the replica has not heard of yet is a 404, not the old photo.
	for _, key := range []string{"deleted.jpg", "nowhere.jpg"} {
		_, err := st.GetOriginal(ctx, key, 1<<20)
		if status, _ := contract.StatusOf(err); status != http.StatusNotFound || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: got %v (status %d), want a 404 wrapping ErrNotFound", key, err, status)
		}
	}
}

// When the primary cannot say what is current, the replica's copy is used
// but marked unverified (the handler then neither stores nor pins it).
func TestS3UsesTheReplicaUnverifiedWhenThePrimaryIsUnreachable(t *testing.T) {
	srv := storetest.Start(t)
	srv.CreateBuckets(t, replicaBucket, primaryBucket, transformedBucket)
	st, err := store.NewS3(srv.AWSConfig(), store.S3Config{
		Region: srv.Region, SourceBucket: replicaBucket,
		PrimaryRegion: srv.Region, PrimarySourceBucket: primaryBucket,
		TransformedBucket: transformedBucket, Endpoint: srv.Endpoint,
		PrimaryCheckTimeout: time.Nanosecond, // every HEAD to the primary times out
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Put(t, replicaBucket, "a.jpg", []byte("replica copy"), "image/jpeg")
	srv.Put(t, primaryBucket, "a.jpg", []byte("newer"), "image/jpeg")
	got, err := st.GetOriginal(context.Background(), "a.jpg", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verified || got.Source != store.FromReplica || string(got.Data) != "replica copy" {
		t.Errorf("got %s %q verified=%v; want the replica's copy, unverified", got.Source, got.Data, got.Verified)
	}
	if _, err := st.GetOriginal(context.Background(), "only-primary.jpg", 1<<20); err == nil {
		t.Error("an original neither the replica has nor the primary can confirm was read")
	} else if status, _ := contract.StatusOf(err); status != http.StatusInternalServerError {
		t.Errorf("got status %d (%v), want a 500: nothing says the original is missing", status, err)
	}
}

func TestS3PrimaryRegionHasNoFallback(t *testing.T) {
	srv := storetest.Start(t)
	srv.CreateBuckets(t, primaryBucket, transformedBucket)
	st, err := store.NewS3(srv.AWSConfig(), store.S3Config{
		Region: srv.Region, SourceBucket: primaryBucket,
		PrimaryRegion: srv.Region, PrimarySourceBucket: primaryBucket,
		TransformedBucket: transformedBucket, Endpoint: srv.Endpoint,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Put(t, primaryBucket, "a.jpg", []byte("main"), "image/jpeg")
	got, err := st.GetOriginal(context.Background(), "a.jpg", 0)
	if err != nil || got.Source != store.FromReplica || string(got.Data) != "main" || !got.Verified || got.ETag != store.ETag([]byte("main")) {
		t.Fatalf("got %+v, %v; want the main bucket's object read as this region's copy", got, err)
	}
	_, err = st.GetOriginal(context.Background(), "b.jpg", 0)
	if status, _ := contract.StatusOf(err); status != http.StatusNotFound {
		t.Fatalf("missing original: got %v, want 404", err)
	}
}

func TestS3RefusesOversizedOriginal(t *testing.T) {
	srv, st := newS3(t)
	srv.Put(t, replicaBucket, "big.jpg", bytes.Repeat([]byte{0xff}, 4096), "image/jpeg")
	srv.Put(t, primaryBucket, "big.jpg", bytes.Repeat([]byte{0xff}, 4096), "image/jpeg")
	_, err := st.GetOriginal(context.Background(), "big.jpg", 4095)
	if status, _ := contract.StatusOf(err); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("got %v (status %d), want 413", err, status)
	}
	if got, err := st.GetOriginal(context.Background(), "big.jpg", 4096); err != nil || len(got.Data) != 4096 {
		t.Fatalf("at the limit: got %d bytes, %v; want all 4096", len(got.Data), err)
	}
}

func TestS3PutVariantStoresMetadata(t *testing.T) {
	srv, st := newS3(t)
	key := "products/shoe.jpg/format=webp,quality=75,width=640"
	created, err := st.PutVariant(context.Background(), key, []byte("RIFF....WEBP"), "image/webp", "0123abcd")
	if err != nil || !created {
		t.Fatalf("PutVariant: created=%v err=%v", created, err)
	}
	out, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(transformedBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	body, _ := io.ReadAll(out.Body)
	if string(body) != "RIFF....WEBP" {
		t.Errorf("body %q", body)
	}
	if got := aws.ToString(out.ContentType); got != "image/webp" {
		t.Errorf("Content-Type %q, want image/webp", got)
	}
	if got := aws.ToString(out.CacheControl); got != store.CacheControl {
		t.Errorf("Cache-Control %q, want %q", got, store.CacheControl)
	}
	if got := out.Metadata[contract.SourceETagMetadata]; got != "0123abcd" {
		t.Errorf("source ETag %q, want the one the variant was made from (metadata %v)", got, out.Metadata)
	}
}

func TestS3PutVariantFirstWriterWins(t *testing.T) {
	srv, st := newS3(t)
	ctx := context.Background()
	key := "race.jpg/format=png"
	if created, err := st.PutVariant(ctx, key, []byte("first"), "image/png", "e1"); err != nil || !created {
		t.Fatalf("first put: created=%v err=%v", created, err)
	}
	if created, err := st.PutVariant(ctx, key, []byte("second"), "image/png", "e1"); err != nil || created {
		t.Fatalf("second put: created=%v err=%v; want created=false and no error", created, err)
	}
	if got := readObject(t, srv, transformedBucket, key); string(got) != "first" {
		t.Fatalf("stored %q, want the first writer's bytes", got)
	}

	// Concurrent conversions of one new variant: exactly one stores it and
	// none fails.
	const writers = 8
	key = "race.jpg/format=webp,quality=80"
	var wg sync.WaitGroup
	created := make([]bool, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			created[i], errs[i] = st.PutVariant(ctx, key, fmt.Appendf(nil, "writer %d", i), "image/webp", "e1")
		})
	}
	wg.Wait()
	winner := -1
	for i := range writers {
		if errs[i] != nil {
			t.Errorf("writer %d: %v", i, errs[i])
		}
		if created[i] {
			if winner >= 0 {
				t.Errorf("writers %d and %d both report created, want exactly one", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no writer reports created")
	}
	if got, want := string(readObject(t, srv, transformedBucket, key)), fmt.Sprintf("writer %d", winner); got != want {
		t.Errorf("stored %q, want the winner's %q", got, want)
	}
}

func readObject(t *testing.T, srv *storetest.Server, bucket, key string) []byte {
	t.Helper()
	out, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("reading s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
