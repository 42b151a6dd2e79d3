package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/purge"
)

func TestCacheInvalidateMatchesLikeCloudFront(t *testing.T) {
	c := NewCache(1 << 20)
	h := http.Header{"Cache-Control": {"max-age=60"}}
	for _, k := range []string{"/a.jpg/format=webp,width=64", "/a.jpg/format=png", "/a.jpg2/format=png", "/b/a.jpg/format=png", "/a%20b.jpg/format=png"} {
		c.Put(k, 200, h, []byte("x"))
	}
	if n := c.Invalidate("/a.jpg/*"); n != 2 {
		t.Errorf("/a.jpg/* removed %d entries, want 2", n)
	}
	if n := c.Invalidate("/a%20b.jpg/format=png"); n != 1 {
		t.Errorf("an exact path removed %d entries, want 1", n)
	}
	if n := c.Invalidate("/zzz*"); n != 0 {
		t.Errorf("/zzz* removed %d entries", n)
	}
	if c.Len() != 2 || c.Bytes() != entrySize("/a.jpg2/format=png", h, []byte("x"))+entrySize("/b/a.jpg/format=png", h, []byte("x")) {
		t.Errorf("%d entries of %d bytes left", c.Len(), c.Bytes())
	}
}

// Replication as S3 does it: overwrites and deletes of originals reach the
// replicas after the lag; variants replicate, their deletes do not; a
// version deleted before its copy landed still lands; a version is pending
// until it is everywhere.
func TestReplicatorFollowsS3Semantics(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	b := Buckets{Prefix: "t", PrimaryRegion: "us-east-1", Regions: []string{"us-east-1", "eu-west-1"}}
	c := clientFor(srv, "us-east-1")
	if err := b.create(ctx, c); err != nil {
		t.Fatal(err)
	}
	put := func(bucket, key, body string) {
		t.Helper()
		if err := putOriginal(ctx, c, bucket, key, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	read := func(bucket, key string) string {
		t.Helper()
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if isAPIError(err, "NoSuchKey") {
			return "<none>"
		}
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(out.Body)
		return buf.String()
	}
	del := func(bucket, key string) {
		t.Helper()
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}
	r := newReplicator(c, b, time.Hour)
	step := func(force bool) {
		t.Helper()
		if _, err := r.Step(ctx, force); err != nil {
			t.Fatal(err)
		}
	}
	src, replica := b.PrimarySource(), b.Source("eu-west-1")
	tUS, tEU := b.Transformed("us-east-1"), b.Transformed("eu-west-1")

	put(src, "k.jpg", "v1")
	put(tUS, "k.jpg/format=png", "variant v1")
	step(false)
	if !r.Pending(tUS, "k.jpg/format=png") || r.Pending(tEU, "k.jpg/format=png") {
		t.Error("a variant just stored is not pending, or its absent copy is")
	}
	// Deleted before its copy lands: it lands anyway (S3 replicates a
	// version once written).
	del(tUS, "k.jpg/format=png")
	step(true)
	if got := read(tEU, "k.jpg/format=png"); got != "variant v1" {
		t.Errorf("the deleted variant's copy: %q, want it landed", got)
	}
	if r.Pending(tUS, "k.jpg/format=png") || read(replica, "k.jpg") != "v1" {
		t.Error("still pending after replicating, or the original did not replicate")
	}
	// A variant's delete is not replicated; a replica is not replicated back.
	del(tEU, "k.jpg/format=png")
	step(true)
	if read(tUS, "k.jpg/format=png") != "<none>" || read(tEU, "k.jpg/format=png") != "<none>" {
		t.Error("a variant came back")
	}
	// An overwrite replicates after the lag; so does a delete.
	put(src, "k.jpg", "v2")
	step(false)
	if got := read(replica, "k.jpg"); got != "v1" {
		t.Errorf("replica has %q within the lag, want v1", got)
	}
	step(true)
	if got := read(replica, "k.jpg"); got != "v2" {
		t.Errorf("replica has %q after the lag, want v2", got)
	}
	del(src, "k.jpg")
	step(false)
	if got := read(replica, "k.jpg"); got != "v2" {
		t.Errorf("replica has %q within the delete's lag, want v2", got)
	}
	step(true)
	if got := read(replica, "k.jpg"); got != "<none>" {
		t.Errorf("replica has %q after the delete replicated", got)
	}
	if keys, err := listKeys(ctx, c, b.Staging(), ""); err != nil || len(keys) != 0 {
		t.Errorf("staging holds %v (%v) once everything replicated", keys, err)
	}
}

// The local API: PUT and DELETE of originals refuse what S3 or the CDN
// could not serve; the invalidation endpoint empties matching cache entries;
// the stack output names the buckets and the S3 server.
func TestLocalAPIForOriginalsAndInvalidations(t *testing.T) {
	st := newTestStack(t, Config{PurgeConfig: PurgeConfig{ConverterTimeout: 3 * time.Second, PurgeSettleDelay: 4 * time.Second}, MaxSourceBytes: 1024})
	srv := httptest.NewServer(st)
	t.Cleanup(srv.Close)
	do := func(method, path string, body []byte) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	for _, c := range []struct {
		method, path string
		body         []byte
		want         int
	}{
		{http.MethodPut, "/_local/originals/a+b.jpg", []byte("tiny"), http.StatusCreated},
		{http.MethodPut, "/_local/originals/%C3%BC%20x.jpg", []byte("tiny"), http.StatusCreated},
		{http.MethodPut, "/_local/originals/big.jpg", bytes.Repeat([]byte("x"), 1025), http.StatusRequestEntityTooLarge},
		{http.MethodPut, "/_local/originals/empty.jpg", nil, http.StatusBadRequest},
		{http.MethodPut, "/_local/originals/a//b.jpg", []byte("x"), http.StatusBadRequest},
		{http.MethodPut, "/_local/originals/a/%2E%2E/b.jpg", []byte("x"), http.StatusBadRequest},
		{http.MethodPut, "/_local/originals/", []byte("x"), http.StatusBadRequest},
		{http.MethodGet, "/_local/originals/a+b.jpg", nil, http.StatusMethodNotAllowed},
		{http.MethodDelete, "/_local/originals/a+b.jpg", nil, http.StatusNoContent},
		{http.MethodDelete, "/_local/originals/never.jpg", nil, http.StatusNoContent},
		{http.MethodPost, "/_local/invalidations", []byte(`{"paths":["no-slash"]}`), http.StatusBadRequest},
		{http.MethodPost, "/_local/invalidations", []byte(`{"paths":["/a*b*"]}`), http.StatusBadRequest},
		{http.MethodGet, "/_local/invalidations", nil, http.StatusMethodNotAllowed},
	} {
		if got, body := do(c.method, c.path, c.body); got != c.want {
			t.Errorf("%s %s: %d %q, want %d", c.method, c.path, got, body, c.want)
		}
	}
	keys, err := st.Keys(context.Background(), st.Buckets().PrimarySource(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(keys, "ü x.jpg") || slices.Contains(keys, "a+b.jpg") || slices.Contains(keys, "a b.jpg") {
		t.Errorf("source bucket holds %q: want \"ü x.jpg\" only (a+b.jpg was deleted)", keys)
	}

	st.regions["eu-west-1"].cache.Put("/x.jpg/format=png", 200, http.Header{"Cache-Control": {"max-age=60"}}, []byte("x"))
	if got, body := do(http.MethodPost, "/_local/invalidations", []byte(`{"paths":["/x.jpg/*"]}`)); got != http.StatusOK || !strings.Contains(body, `"invalidated":1`) {
		t.Errorf("invalidation: %d %s", got, body)
	}
	_, body := do(http.MethodGet, "/_local/stack-output", nil)
	o, err := purge.ParseStackOutputs([]byte(body))
	if err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if r, _ := o.PrimaryRegion(); r != "us-east-1" || o.TransformedBuckets["eu-west-1"] != st.Buckets().Transformed("eu-west-1") ||
		o.Local == nil || o.Local.S3Endpoint != st.S3Endpoint() || o.Local.InvalidationURL != srv.URL+"/_local/invalidations" {
		t.Errorf("stack output %s", body)
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(body), &raw)
	for _, k := range []string{"primarySourceBucket", "sourceBuckets", "transformedBuckets", "distributionId"} {
		if raw[k] == nil {
			t.Errorf("stack output lacks %s: %s", k, body)
		}
	}
}

func TestConfigRefusesASettleDelayWithinTheConversionTimeout(t *testing.T) {
	c := Config{Regions: []string{"us-east-1"}, PurgeConfig: PurgeConfig{ConverterTimeout: 5 * time.Second, PurgeSettleDelay: 5 * time.Second}}
	if err := c.defaults(); err == nil || !strings.Contains(err.Error(), "PurgeSettleDelay") {
		t.Errorf("defaults() = %v, want an error naming PurgeSettleDelay", err)
	}
	c = Config{Regions: []string{"us-east-1"}, PurgeConfig: PurgeConfig{ConverterTimeout: 5 * time.Second}}
	if err := c.defaults(); err != nil || c.PurgeSettleDelay != 10*time.Second {
		t.Errorf("defaults() = %v, settle delay %s, want 10s", err, c.PurgeSettleDelay)
	}
	// A timeout within the converter's store-and-answer margin would make
	// every conversion "take too long" at once.
	c = Config{Regions: []string{"us-east-1"}, PurgeConfig: PurgeConfig{ConverterTimeout: 2 * time.Second}}
	if err := c.defaults(); err == nil || !strings.Contains(err.Error(), "ConverterTimeout") {
		t.Errorf("defaults() = %v, want an error naming ConverterTimeout", err)
	}
}

// The gallery says how to change an original and offers it: a form that
// PUTs one and a delete button per image.
func TestGalleryOffersChangingOriginals(t *testing.T) {
	st := newTestStack(t, Config{Images: imagesDir(t, "shoe 1.jpg")})
	rec := httptest.NewRecorder()
	st.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://gallery.test/", nil))
	page := rec.Body.String()
	for _, want := range []string{
		"curl -T shoe.jpg http://gallery.test/_local/originals/products/shoe.jpg",
		"curl -X DELETE http://gallery.test/_local/originals/products/shoe.jpg",
		`<form id="put-original">`, `class="delete" data-key="shoe 1.jpg"`, "method: 'DELETE'", "method: 'PUT'",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the gallery lacks %q", want)
		}
	}
}
