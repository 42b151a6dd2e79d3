package stack

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// requireVersity skips when versitygw is missing, unless CI demands tools.
func requireVersity(t *testing.T) {
	t.Helper()
	if _, err := FindVersity(); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("IMGCELLS_REQUIRE_TOOLS=1 but %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

func startServer(t *testing.T) *S3Server {
	t.Helper()
	requireVersity(t)
	srv, err := StartS3Server(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

// clientFor is an S3 client that signs for region, as a cell's client does.
func clientFor(srv *S3Server, region string) *s3.Client {
	return s3.NewFromConfig(srv.AWSConfig(), func(o *s3.Options) {
		o.Region = region
		o.BaseEndpoint = aws.String(srv.Endpoint)
		o.UsePathStyle = true
	})
}

// The server keeps what the CDN depends on: Cache-Control and Content-Type,
// conditional writes, odd keys, and clients signing for any region.
func TestS3ServerKeepsHeadersAndConditionalWrites(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	b := Buckets{Prefix: "t", PrimaryRegion: "us-east-1", Regions: []string{"us-east-1", "eu-west-1"}}
	if err := b.create(ctx, clientFor(srv, "us-east-1")); err != nil {
		t.Fatal(err)
	}
	eu := clientFor(srv, "eu-west-1")
	key := "dir with space/a+b/ünï.jpg/format=webp,quality=75,width=640"
	put := func() error {
		_, err := eu.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(b.Transformed("eu-west-1")), Key: aws.String(key),
			Body: bytes.NewReader([]byte("RIFFxxxxWEBP")), ContentType: aws.String("image/webp"),
			CacheControl: aws.String("public, max-age=31536000, immutable"), IfNoneMatch: aws.String("*"),
		})
		return err
	}
	if err := put(); err != nil {
		t.Fatalf("first conditional put: %v", err)
	}
	if err := put(); !isAPIError(err, "PreconditionFailed") {
		t.Fatalf("second conditional put: want PreconditionFailed, got %v", err)
	}
	out, err := eu.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Transformed("eu-west-1")), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	_ = out.Body.Close() // only the headers are checked
	if got := aws.ToString(out.CacheControl); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := aws.ToString(out.ContentType); got != "image/webp" {
		t.Errorf("Content-Type = %q", got)
	}

	// Replication copies it to the other transformed bucket, headers kept,
	// only once the lag has passed (or when forced).
	r := newReplicator(clientFor(srv, "us-east-1"), b, time.Hour)
	if n, err := r.Step(ctx, false); err != nil || n != 0 {
		t.Fatalf("step within the lag copied %d (%v), want 0", n, err)
	}
	if n, err := r.Step(ctx, true); err != nil || n != 1 {
		t.Fatalf("forced step copied %d (%v), want 1", n, err)
	}
	if n, err := r.Step(ctx, true); err != nil || n != 0 {
		t.Fatalf("step after catching up copied %d (%v), want 0", n, err)
	}
	us := clientFor(srv, "us-east-1")
	out, err = us.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Transformed("us-east-1")), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("replica: %v", err)
	}
	_ = out.Body.Close() // only the headers are checked
	if aws.ToString(out.CacheControl) != "public, max-age=31536000, immutable" || aws.ToString(out.ContentType) != "image/webp" {
		t.Errorf("replica lost headers: %q %q", aws.ToString(out.CacheControl), aws.ToString(out.ContentType))
	}
}
