package store_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/converter/store"
)

// oddKeys are originals whose names S3 clients commonly mangle: spaces, '+'
// (read as a space by form decoders), '%' (decoded twice), non-ASCII.
var oddKeys = []string{
	"summer sale/red shoe.jpg",
	"c++/a+b.png",
	"100%/50%20off.jpg",
	"café/Ünïcödé 日本語.jpeg",
	"mixed/ a+%2B b ü.webp",
}

func TestS3OddKeysRoundTrip(t *testing.T) {
	srv, st := newS3(t)
	ctx := context.Background()
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 640}
	for _, key := range oddKeys { // replicated: the primary holds the same version
		srv.Put(t, replicaBucket, key, []byte("original of "+key), "image/jpeg")
		srv.Put(t, primaryBucket, key, []byte("original of "+key), "image/jpeg")
	}
	for _, key := range oddKeys {
		got, err := st.GetOriginal(ctx, key, 1<<20)
		if err != nil {
			t.Errorf("GetOriginal(%q): %v", key, err)
			continue
		}
		if string(got.Data) != "original of "+key || got.Source != store.FromReplica {
			t.Errorf("GetOriginal(%q) read %q from the %s: want this key's object from the replica, checked against the primary's", key, got.Data, got.Source)
		}
		vk := contract.VariantKey(key, v)
		if _, err := st.PutVariant(ctx, vk, []byte("variant of "+key), "image/webp", ""); err != nil {
			t.Errorf("PutVariant(%q): %v", vk, err)
		}
	}

	// The transformed bucket lists exactly the variant keys, byte for byte.
	out, err := srv.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(transformedBucket)})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, o := range out.Contents {
		listed[aws.ToString(o.Key)] = true
	}
	for _, key := range oddKeys {
		vk := contract.VariantKey(key, v)
		if !listed[vk] {
			t.Errorf("variant key %q not in the listing %q", vk, keysOf(listed))
		}
		if got := readObject(t, srv, transformedBucket, vk); string(got) != "variant of "+key {
			t.Errorf("%q holds %q", vk, got)
		}
	}
	if len(listed) != len(oddKeys) {
		t.Errorf("listing has %d keys, want %d: %q", len(listed), len(oddKeys), keysOf(listed))
	}
}

func keysOf(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
