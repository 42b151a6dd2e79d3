package store_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"imgcells/contract"
	"imgcells/converter/store"
	"imgcells/converter/store/storetest"
)

// fetch GETs u with a plain client and no header of its own, as a browser
// following a redirect to it would.
func fetch(t *testing.T, u string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(u) //nolint:gosec,noctx // G107: the URL is the store's own answer under test
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", u, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// VariantURL gives a URL a viewer can follow with no credentials and no
// header of its own (SignedHeaders is host alone), to exactly the stored
// variant, odd keys included, and to nothing else.
func TestS3VariantURLServesTheStoredVariant(t *testing.T) {
	srv, st := newS3(t)
	ctx := context.Background()
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 640}
	for _, key := range append(oddKeys, "q?uestion/hash#tag.jpg", "products/shoe.jpg") {
		vk := contract.VariantKey(key, v)
		if _, err := st.PutVariant(ctx, vk, []byte("variant of "+key), "image/webp", ""); err != nil {
			t.Fatal(err)
		}
		u, err := st.VariantURL(ctx, vk, 5*time.Minute)
		if err != nil {
			t.Fatalf("VariantURL(%q): %v", vk, err)
		}
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := parsed.Query()
		if !strings.HasPrefix(u, srv.Endpoint+"/"+transformedBucket+"/") || q.Get("X-Amz-SignedHeaders") != "host" ||
			q.Get("X-Amz-Expires") != "300" || q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
			t.Errorf("VariantURL(%q) = %s: want the transformed bucket, host as the only signed header, 300 s", vk, u)
		}
		status, ctype, body := fetch(t, u)
		if status != http.StatusOK || ctype != "image/webp" || string(body) != "variant of "+key {
			t.Errorf("GET VariantURL(%q): %d %q %q", vk, status, ctype, body)
		}
	}

	// The signature covers the key: it cannot be moved to another object,
	// such as an original in a source bucket.
	u, err := st.VariantURL(ctx, "products/shoe.jpg/format=webp,quality=75,width=640", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	srv.Put(t, transformedBucket, "products/other.jpg/format=webp,quality=75,width=640", []byte("other"), "image/webp")
	srv.Put(t, replicaBucket, "products/shoe.jpg", []byte("original"), "image/jpeg")
	for _, moved := range []string{
		strings.Replace(u, "shoe.jpg", "other.jpg", 1),
		strings.Replace(u, "/"+transformedBucket+"/", "/"+replicaBucket+"/", 1),
	} {
		if status, _, body := fetch(t, moved); status != http.StatusForbidden {
			t.Errorf("GET %s: %d %q, want 403", moved, status, body)
		}
	}
}

// A URL stops working once its lifetime is over.
func TestS3VariantURLExpires(t *testing.T) {
	_, st := newS3(t)
	ctx := context.Background()
	const vk = "products/shoe.jpg/format=png"
	if _, err := st.PutVariant(ctx, vk, []byte("png"), "image/png", ""); err != nil {
		t.Fatal(err)
	}
	u, err := st.VariantURL(ctx, vk, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // S3 counts expiry in whole seconds
	if status, _, body := fetch(t, u); status != http.StatusForbidden {
		t.Fatalf("GET after expiry: %d %q, want 403", status, body)
	}
}

// A cell whose region differs from the one the server checks signs its
// URLs for URLRegion: without it, the server refuses them (400, "the
// region is wrong").
func TestS3VariantURLRegion(t *testing.T) {
	srv := storetest.Start(t)
	srv.CreateBuckets(t, replicaBucket, primaryBucket, transformedBucket)
	const vk = "a.jpg/format=png"
	for _, c := range []struct {
		urlRegion string
		want      int
	}{{"", http.StatusBadRequest}, {srv.Region, http.StatusOK}} {
		st, err := store.NewS3(srv.AWSConfig(), store.S3Config{
			Region: "eu-west-1", SourceBucket: replicaBucket,
			PrimaryRegion: srv.Region, PrimarySourceBucket: primaryBucket,
			TransformedBucket: transformedBucket, Endpoint: srv.Endpoint, URLRegion: c.urlRegion,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.Put(t, transformedBucket, vk, []byte("png"), "image/png")
		u, err := st.VariantURL(context.Background(), vk, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if status, _, body := fetch(t, u); status != c.want {
			t.Errorf("URLRegion %q: GET %s: %d %q, want %d", c.urlRegion, u, status, body, c.want)
		}
	}
}

// On AWS (no endpoint) the URL is https — the buckets deny plain HTTP — on
// the bucket's regional virtual-hosted name, signed for the cell's region
// with the function's temporary credentials, whose session token it
// carries; only host is signed, so a browser can follow it as is.
// Presigning sends nothing, so no network is needed.
func TestS3VariantURLOnAWS(t *testing.T) {
	awsCfg := aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("ASIAEXAMPLEKEYID", "example-secret", "example-session-token"),
	}
	st, err := store.NewS3(awsCfg, store.S3Config{
		Region: "eu-west-1", SourceBucket: "imgcells-source-eu-west-1",
		PrimaryRegion: "us-east-1", PrimarySourceBucket: "imgcells-source",
		TransformedBucket: "imgcells-transformed-eu-west-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.VariantURL(context.Background(), "summer sale/shoe+laces 100%.jpg/format=webp,quality=75,width=640", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	checks := map[string][2]string{
		"scheme":               {parsed.Scheme, "https"},
		"host":                 {parsed.Host, "imgcells-transformed-eu-west-1.s3.eu-west-1.amazonaws.com"},
		"path":                 {parsed.Path, "/summer sale/shoe+laces 100%.jpg/format=webp,quality=75,width=640"},
		"X-Amz-SignedHeaders":  {q.Get("X-Amz-SignedHeaders"), "host"},
		"X-Amz-Expires":        {q.Get("X-Amz-Expires"), "300"},
		"X-Amz-Security-Token": {q.Get("X-Amz-Security-Token"), "example-session-token"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q (URL %s)", name, c[0], c[1], u)
		}
	}
	if cred := q.Get("X-Amz-Credential"); !strings.HasPrefix(cred, "ASIAEXAMPLEKEYID/") || !strings.HasSuffix(cred, "/eu-west-1/s3/aws4_request") {
		t.Errorf("X-Amz-Credential = %q, want the key id, scoped to eu-west-1", cred)
	}
	if strings.Contains(u, "example-secret") {
		t.Errorf("the URL carries the secret key: %s", u)
	}
}
