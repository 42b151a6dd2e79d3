// Package storetest starts a real S3-compatible server (versitygw, posix
// backend on a temporary directory, loopback only) for tests that depend on
// S3 behaviour: metadata, conditional writes, key encoding.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Env names the variable that points at the versitygw binary.
const Env = "IMGCELLS_VERSITYGW"

// RequireToolsEnv names the variable that, set to 1, turns a missing external
// tool into a failure.
const RequireToolsEnv = "IMGCELLS_REQUIRE_TOOLS"

// Server is a running versitygw.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	Region    string
	AccessKey string
	SecretKey string
	Root      string // the posix backend directory: one folder per bucket
}

// SkipOrFail skips the test with why, or fails it when
// IMGCELLS_REQUIRE_TOOLS=1 (CI installs every tool).
func SkipOrFail(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireToolsEnv) == "1" {
		t.Fatalf("%s (%s=1)", why, RequireToolsEnv)
	}
	t.Skip(why)
}

// FindVersity returns the versitygw binary: $IMGCELLS_VERSITYGW, then PATH,
// then $GOPATH/bin.
func FindVersity() (string, error) {
	if p := os.Getenv(Env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", Env, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	p := filepath.Join(build.Default.GOPATH, "bin", "versitygw")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("versitygw not found: set %s or put it on PATH (go install github.com/versity/versitygw/cmd/versitygw@latest)", Env)
}

// Start runs versitygw on a free loopback port with a fresh posix root and
// stops it when the test ends. It skips (or fails, see SkipOrFail) when the
// binary is missing.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := FindVersity()
	if err != nil {
		SkipOrFail(t, err.Error())
	}
	s := &Server{Region: "us-east-1", AccessKey: "imgcellstest", SecretKey: "imgcellstestsecret", Root: t.TempDir()}
	addr, err := freeAddr()
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	s.Endpoint = "http://" + addr
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey,
		"--region", s.Region, "--port", addr, "--quiet", "posix", s.Root)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting versitygw: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(s.Endpoint + "/")
		if err == nil {
			_ = resp.Body.Close() // any answer means it listens; the body is not read
			return s
		}
		select {
		case <-exited:
			t.Fatalf("versitygw exited at start: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer on %s within 15s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// AWSConfig is an aws.Config with the server's static credentials.
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:      s.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}
}

// Client is a path-style S3 client for the server, for test setup and checks.
func (s *Server) Client() *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.Endpoint)
		o.UsePathStyle = true
	})
}

// CreateBuckets creates each bucket.
func (s *Server) CreateBuckets(t testing.TB, names ...string) {
	t.Helper()
	c := s.Client()
	for _, n := range names {
		if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(n)}); err != nil {
			t.Fatalf("creating bucket %s: %v", n, err)
		}
	}
}

// Put stores an object for test setup.
func (s *Server) Put(t testing.TB, bucket, key string, data []byte, contentType string) {
	t.Helper()
	_, err := s.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(data), ContentType: aws.String(contentType),
	})
	if err != nil {
		t.Fatalf("putting s3://%s/%s: %v", bucket, key, err)
	}
}
