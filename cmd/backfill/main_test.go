package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/converter/store/storetest"
)

// original is an object in the main source bucket.
type original struct {
	body         string
	contentType  string
	cacheControl string
	meta         map[string]string
}

// Keys as operators upload them: nested, with spaces, "+", "?", "#", "%" and non-ASCII.
var originals = map[string]original{
	"products/shoe.jpg":         {"jpeg bytes of a shoe", "image/jpeg", "max-age=60", map[string]string{"photographer": "ann"}},
	"a b/c+d.png":               {"png bytes", "image/png", "", nil},
	"unicodé/straße.webp":       {"webp bytes", "image/webp", "", nil},
	"odd/q?x#y 100%.jpg":        {"odd key bytes", "image/jpeg", "", nil},
	"already/there.jpg":         {"same bytes on both sides", "image/jpeg", "", nil},
	"stale/overwritten.jpg":     {"the current original", "image/jpeg", "", nil},
	"deep/a/b/c/d/e/f/g/h.jpeg": {"deep", "image/jpeg", "", nil},
}

type backfillEnv struct {
	srv           *storetest.Server
	main, replica string
}

func setup(t *testing.T) *backfillEnv {
	t.Helper()
	srv := storetest.Start(t)
	e := &backfillEnv{srv: srv, main: "main-source", replica: "replica-source"}
	srv.CreateBuckets(t, e.main, e.replica)
	for k, o := range originals {
		e.put(context.Background(), t, e.main, k, o)
	}
	// One key live replication already delivered, one whose replica is stale.
	e.put(context.Background(), t, e.replica, "already/there.jpg", originals["already/there.jpg"])
	e.put(context.Background(), t, e.replica, "stale/overwritten.jpg", original{body: "an older original", contentType: "image/jpeg"})
	// The SDK reads credentials from the environment; keep this machine's files out.
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return e
}

func (e *backfillEnv) put(ctx context.Context, t *testing.T, bucket, key string, o original) {
	t.Helper()
	in := &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(o.body),
		ContentType: aws.String(o.contentType), Metadata: o.meta,
	}
	if o.cacheControl != "" {
		in.CacheControl = aws.String(o.cacheControl)
	}
	if _, err := e.srv.Client().PutObject(ctx, in); err != nil {
		t.Fatalf("putting s3://%s/%s: %v", bucket, key, err)
	}
}

func (e *backfillEnv) run(t *testing.T, stdin io.Reader, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"-endpoint", e.srv.Endpoint, "-workers", "4"}, args...)
	code := run(context.Background(), args, stdin, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func (e *backfillEnv) explicit() []string {
	return []string{"-from", e.main, "-from-region", e.srv.Region, "-to", e.replica, "-to-region", e.srv.Region}
}

// checkReplica: every original is in the replica with its bytes and metadata.
func (e *backfillEnv) checkReplica(t *testing.T) {
	t.Helper()
	c := e.srv.Client()
	for k, o := range originals {
		got, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(e.replica), Key: aws.String(k)})
		if err != nil {
			t.Errorf("replica lacks %q: %v", k, err)
			continue
		}
		body, err := io.ReadAll(got.Body)
		_ = got.Body.Close()
		if err != nil || string(body) != o.body {
			t.Errorf("replica %q holds %q (%v), want %q", k, body, err, o.body)
		}
		if aws.ToString(got.ContentType) != o.contentType || aws.ToString(got.CacheControl) != o.cacheControl || !maps.Equal(got.Metadata, o.meta) {
			t.Errorf("replica %q: Content-Type %q Cache-Control %q metadata %v, want %q %q %v", k,
				aws.ToString(got.ContentType), aws.ToString(got.CacheControl), got.Metadata, o.contentType, o.cacheControl, o.meta)
		}
	}
}

func TestBackfillCopiesWhatTheReplicaLacks(t *testing.T) {
	e := setup(t)
	out, errOut, code := e.run(t, nil, e.explicit()...)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if want := "listed 7, copied 6, already present 1, too large 0, changed during the run 0, failed 0"; !strings.Contains(out, want) {
		t.Errorf("summary:\n%s\nwant %q", out, want)
	}
	e.checkReplica(t)

	// A second run finds everything in place and copies nothing.
	out, errOut, code = e.run(t, nil, e.explicit()...)
	if code != 0 || !strings.Contains(out, "listed 7, copied 0, already present 7,") {
		t.Errorf("re-run: exit %d\n%s%s", code, out, errOut)
	}
}

func TestBackfillFromStackOutputs(t *testing.T) {
	e := setup(t)
	outputs := func(sources map[string]string) io.Reader {
		b, err := json.Marshal(map[string]any{
			"primarySourceBucket": e.main, "primaryRegion": e.srv.Region, "sourceBuckets": sources, "cdnHost": "img.example.com",
		})
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(b)
	}
	// One server answers for every region here and checks the signing region, so the
	// "new" region is the server's too; -region picks that region's bucket.
	out, errOut, code := e.run(t, outputs(map[string]string{e.srv.Region: e.replica}), "-region", e.srv.Region)
	if code != 0 || !strings.Contains(out, "s3://"+e.main+" → s3://"+e.replica) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	e.checkReplica(t)

	_, errOut, code = e.run(t, outputs(map[string]string{e.srv.Region: e.replica}), "-region", "eu-west-1")
	if code != 2 || !strings.Contains(errOut, "no cell in eu-west-1") {
		t.Errorf("unknown region: exit %d %s", code, errOut)
	}
	_, errOut, code = e.run(t, outputs(map[string]string{e.srv.Region: e.main}), "-region", e.srv.Region)
	if code != 2 || !strings.Contains(errOut, "is the main source bucket itself") {
		t.Errorf("the primary region: exit %d %s", code, errOut)
	}
	_, errOut, code = e.run(t, strings.NewReader(`{"cdnHost":"x"}`), "-region", e.srv.Region)
	if code != 2 || !strings.Contains(errOut, "lack primarySourceBucket or primaryRegion") {
		t.Errorf("old outputs: exit %d %s", code, errOut)
	}
}

func TestBackfillDryRunCopiesNothing(t *testing.T) {
	e := setup(t)
	out, errOut, code := e.run(t, nil, append(e.explicit(), "-dry-run", "-prefix", "products/")...)
	if code != 0 || !strings.Contains(out, "would copy products/shoe.jpg") || !strings.Contains(out, "listed 1,") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if _, err := e.srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(e.replica), Key: aws.String("products/shoe.jpg"),
	}); err == nil {
		t.Error("a dry run copied products/shoe.jpg")
	}
}

// racingSource overwrites an original between the listing and its copy, as an upload
// during the run would.
type racingSource struct {
	s3API
	e   *backfillEnv
	t   *testing.T
	key string
}

func (r *racingSource) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	if aws.ToString(in.Key) == r.key {
		r.e.put(ctx, r.t, r.e.main, r.key, original{body: "uploaded during the run", contentType: "image/jpeg"})
	}
	return r.s3API.CopyObject(ctx, in, opts...)
}

// An original overwritten after it was listed is not copied in its old version: the
// copy is conditioned on the listed ETag and the key is left to live replication.
func TestBackfillLeavesAnOriginalChangedDuringTheRun(t *testing.T) {
	e := setup(t)
	client := e.srv.Client()
	const key = "products/shoe.jpg"
	c := &copier{From: e.main, To: e.replica, Source: client, Replica: &racingSource{s3API: client, e: e, t: t, key: key}, Workers: 2}
	st, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Changed != 1 || st.Copied != 5 {
		t.Errorf("stats %v, want 1 changed and 5 copied", st)
	}
	if _, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(e.replica), Key: aws.String(key)}); err == nil {
		t.Errorf("the replica holds %s, copied from a version that was no longer current", key)
	}
}

func TestCopySourceEncodesEachSegment(t *testing.T) {
	got := copySource("b", "a b/c+d/q?x#y 100%/ß.jpg")
	if want := "b/a%20b/c%2Bd/q%3Fx%23y%20100%25/%C3%9F.jpg"; got != want {
		t.Errorf("copySource = %q, want %q", got, want)
	}
	if strings.ContainsAny(strings.TrimPrefix(got, "b/"), " +?#") || !slices.Contains(strings.Split(got, "/"), "a%20b") {
		t.Errorf("copySource %q keeps a character S3 would misread", got)
	}
}

// recordingReplica remembers each CopyObject request.
type recordingReplica struct {
	s3API
	mu     sync.Mutex
	copies map[string]*s3.CopyObjectInput
}

func (r *recordingReplica) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	r.mu.Lock()
	r.copies[aws.ToString(in.Key)] = in
	r.mu.Unlock()
	return r.s3API.CopyObject(ctx, in, opts...)
}

// Each copy writes only over what was checked: If-None-Match: * where the replica
// lacked the key, If-Match with the replica's ETag where it differed, so a copy that
// live replication writes meanwhile stays (S3 answers 412, counted as changed). The
// test server (versitygw 1.8.0) ignores these two headers on CopyObject, so this
// checks the requests; AWS applies them.
func TestBackfillCopiesOnlyOverWhatItChecked(t *testing.T) {
	e := setup(t)
	client := e.srv.Client()
	stale, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(e.replica), Key: aws.String("stale/overwritten.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingReplica{s3API: client, copies: map[string]*s3.CopyObjectInput{}}
	c := &copier{From: e.main, To: e.replica, Source: client, Replica: rec, Workers: 3}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.copies) != 6 {
		t.Errorf("%d copies, want 6", len(rec.copies))
	}
	for key, in := range rec.copies {
		src, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(e.main), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(in.CopySourceIfMatch) != aws.ToString(src.ETag) {
			t.Errorf("%s: copy-source-if-match %q, want the listed ETag %q", key, aws.ToString(in.CopySourceIfMatch), aws.ToString(src.ETag))
		}
		wantMatch, wantNone := "", "*"
		if key == "stale/overwritten.jpg" {
			wantMatch, wantNone = aws.ToString(stale.ETag), ""
		}
		if aws.ToString(in.IfMatch) != wantMatch || aws.ToString(in.IfNoneMatch) != wantNone {
			t.Errorf("%s: If-Match %q If-None-Match %q, want %q and %q", key, aws.ToString(in.IfMatch), aws.ToString(in.IfNoneMatch), wantMatch, wantNone)
		}
	}
}
