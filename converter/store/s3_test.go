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

func TestS3ReadsReplicaThenPrimary(t *testing.T) {
	srv, st := newS3(t)
	ctx := context.Background()
	srv.Put(t, replicaBucket, "both.jpg", []byte("replica bytes"), "image/jpeg")
	srv.Put(t, primaryBucket, "both.jpg", []byte("primary bytes"), "image/jpeg")
	srv.Put(t, primaryBucket, "lagging/new.png", []byte("only in primary"), "image/png")

	got, err := st.GetOriginal(ctx, "both.jpg", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != store.FromReplica || string(got.Data) != "replica bytes" || got.ContentType != "image/jpeg" {
		t.Errorf("both.jpg: got source %s, %q, %q; want the replica's copy", got.Source, got.Data, got.ContentType)
	}

	got, err = st.GetOriginal(ctx, "lagging/new.png", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != store.FromPrimary || string(got.Data) != "only in primary" {
		t.Errorf("lagging/new.png: got source %s, %q; want the primary's copy", got.Source, got.Data)
	}

	_, err = st.GetOriginal(ctx, "nowhere.jpg", 1<<20)
	if status, _ := contract.StatusOf(err); status != http.StatusNotFound || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing original: got %v (status %d), want a 404 wrapping ErrNotFound", err, status)
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
	if err != nil || got.Source != store.FromReplica || string(got.Data) != "main" {
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
	created, err := st.PutVariant(context.Background(), key, []byte("RIFF....WEBP"), "image/webp")
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
}

func TestS3PutVariantFirstWriterWins(t *testing.T) {
	srv, st := newS3(t)
	ctx := context.Background()
	key := "race.jpg/format=png"
	if created, err := st.PutVariant(ctx, key, []byte("first"), "image/png"); err != nil || !created {
		t.Fatalf("first put: created=%v err=%v", created, err)
	}
	if created, err := st.PutVariant(ctx, key, []byte("second"), "image/png"); err != nil || created {
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
			created[i], errs[i] = st.PutVariant(ctx, key, fmt.Appendf(nil, "writer %d", i), "image/webp")
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
