package purge_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/converter/store"
	"imgcells/converter/store/storetest"
	"imgcells/purge"
)

// The S3 side of a purge against a real S3 server: the source's current
// ETag, the variants the converter's own store writes (found by a listing
// that is exact for odd keys), their recorded source, and deletion.
func TestS3BucketsAgainstARealServer(t *testing.T) {
	srv := storetest.Start(t)
	srv.CreateBuckets(t, "source", "transformed")
	ctx := context.Background()
	conv, err := store.NewS3(srv.AWSConfig(), store.S3Config{
		Region: srv.Region, SourceBucket: "source", PrimaryRegion: srv.Region, PrimarySourceBucket: "source",
		TransformedBucket: "transformed", Endpoint: srv.Endpoint,
	})
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	src := purge.S3Source{Client: client, Bucket: "source"}
	bucket := purge.S3Bucket{Client: client, Name: "transformed", In: srv.Region}
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 640}

	for _, key := range []string{"with space/shoe 1.jpg", "a+b.jpg", "ünïcødé/фото.jpg"} {
		srv.Put(t, "source", key, []byte("v1 of "+key), "image/jpeg")
		etag, found, err := src.Current(ctx, key)
		if err != nil || !found || etag != store.ETag([]byte("v1 of "+key)) {
			t.Fatalf("Current(%q) = %q %v %v", key, etag, found, err)
		}
		vkey := contract.VariantKey(key, v)
		if _, err := conv.PutVariant(ctx, vkey, []byte("variant"), "image/webp", etag); err != nil {
			t.Fatal(err)
		}
		// Neighbours that are not this original's variants.
		srv.Put(t, "transformed", key+"x/"+v.String(), []byte("sibling"), "image/webp")
		srv.Put(t, "transformed", key+"/inner.jpg/"+v.String(), []byte("nested"), "image/webp")
		srv.Put(t, "transformed", key+"/not-a-variant", []byte("?"), "image/webp")

		keys, err := bucket.Variants(ctx, key)
		if err != nil || !slices.Equal(keys, []string{vkey}) {
			t.Fatalf("Variants(%q) = %q, %v; want [%q]", key, keys, err, vkey)
		}
		got, found, err := bucket.Inspect(ctx, vkey)
		if err != nil || !found || got.SourceETag != etag || got.Pending {
			t.Errorf("Inspect(%q) = %+v %v %v", vkey, got, found, err)
		}

		// Overwritten: a pass deletes the stale variant, and only it.
		srv.Put(t, "source", key, []byte("v2 of "+key), "image/jpeg")
		p := purge.Purger{Source: src, Buckets: []purge.Bucket{bucket}}
		r, err := p.Pass(ctx, key, false)
		if err != nil || !slices.Equal(r.Deleted, []string{srv.Region + " " + vkey}) {
			t.Errorf("pass over %q: %+v %v", key, r, err)
		}
		if _, found, _ := bucket.Inspect(ctx, vkey); found {
			t.Errorf("%q survived the pass", vkey)
		}
		for _, other := range []string{key + "x/" + v.String(), key + "/inner.jpg/" + v.String(), key + "/not-a-variant"} {
			if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("transformed"), Key: aws.String(other)}); err != nil {
				t.Errorf("%q is gone: %v", other, err)
			}
		}
	}
	if _, found, err := src.Current(ctx, "never.jpg"); found || err != nil {
		t.Errorf("Current(never.jpg) = %v %v", found, err)
	}
	// The local stack's override of the replication status.
	pendingBucket := bucket
	pendingBucket.Pending = func(string) bool { return true }
	srv.Put(t, "transformed", "p.jpg/"+v.String(), []byte("x"), "image/webp")
	if got, _, _ := pendingBucket.Inspect(ctx, "p.jpg/"+v.String()); !got.Pending {
		t.Error("the Pending override is not used")
	}
}
