package tests

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"go/build"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chai2010/webp"

	"imgcells/contract"
	"imgcells/converter/httpapi"
	"imgcells/converter/lambdazip"
	"imgcells/converter/store"
	"imgcells/converter/store/storetest"
)

// The built converter bootstrap, run by the Lambda Runtime Interface
// Emulator (the real runtime API) with S3 pointed at versitygw, answers API
// Gateway HTTP API events.

const rieSecret = "e2e-origin-verify-secret-0123456789"

// findRIE returns aws-lambda-rie: $IMGCELLS_LAMBDA_RIE, PATH, $GOPATH/bin.
func findRIE(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IMGCELLS_LAMBDA_RIE"); p != "" {
		return p
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	if p := filepath.Join(build.Default.GOPATH, "bin", "aws-lambda-rie"); fileExists(p) {
		return p
	}
	storetest.SkipOrFail(t, "aws-lambda-rie not found: set IMGCELLS_LAMBDA_RIE or go install "+
		"github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// builtBootstrap builds the Lambda zip for arch and extracts bootstrap.
func builtBootstrap(t *testing.T, arch string) string {
	t.Helper()
	mod, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, err := lambdazip.Build(lambdazip.Options{ModuleDir: mod, Arch: arch, OutPath: filepath.Join(dir, "converter.zip")})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open("bootstrap")
	if err != nil {
		t.Fatalf("zip has no bootstrap: %v", err)
	}
	defer rc.Close()
	exe, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// rieFunction is the function name the emulated Lambda environment carries.
const rieFunction = "imgcells-e2e-converter"

// lockedBuffer collects a process's output while a test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startRIE runs the emulator in the background with cmdline as the
// function's bootstrap (with extraEnv besides the converter's environment),
// and returns its invoke URL and its output so far. It is killed at the end
// of the test, or after two minutes at most.
func startRIE(t *testing.T, srv *storetest.Server, extraEnv []string, cmdline ...string) (string, func() string) {
	t.Helper()
	rie := findRIE(t)
	addr, api := freePort(t), freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	args := append([]string{"--runtime-interface-emulator-address", addr, "--runtime-api-address", api}, cmdline...)
	cmd := exec.CommandContext(ctx, rie, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=60",
		"AWS_LAMBDA_FUNCTION_NAME=" + rieFunction,
		"IMGCELLS_SOURCE_BUCKET=src-replica",
		"IMGCELLS_PRIMARY_SOURCE_BUCKET=src-primary",
		"IMGCELLS_PRIMARY_REGION=" + srv.Region,
		"IMGCELLS_TRANSFORMED_BUCKET=transformed",
		"IMGCELLS_ORIGIN_VERIFY_SECRET=" + rieSecret,
		"IMGCELLS_S3_ENDPOINT=" + srv.Endpoint,
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting aws-lambda-rie: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("aws-lambda-rie and bootstrap output:\n%s", logs.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close() // the port answers: that is all this probe asks
			break
		}
		select {
		case <-done:
			t.Fatalf("aws-lambda-rie exited: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws-lambda-rie not listening on %s: %s", addr, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr + "/2015-03-31/functions/function/invocations", logs.String
}

// invoke posts an API Gateway v2 event to the function and decodes its
// answer.
func invoke(t *testing.T, url string, e events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	body, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(body)) //nolint:gosec // G107: url is the loopback address of the emulator the test started
	if err != nil {
		t.Fatalf("invoking: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &out); err != nil || out.StatusCode == 0 {
		t.Fatalf("invocation answered %d %q: not an HTTP API response (%v)", resp.StatusCode, raw, err)
	}
	return out
}

// apiEvent is the HTTP API event for a GET of the variant key, with the
// path decoded as API Gateway delivers it.
func apiEvent(t *testing.T, method, variantKey string, secret bool) events.APIGatewayV2HTTPRequest {
	t.Helper()
	key, v, err := contract.ParseKey(variantKey)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, "https://api.example"+contract.CDNPath(key, v), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Amazon CloudFront")
	if secret {
		req.Header.Set(contract.OriginVerifyHeader, rieSecret)
	}
	return httpapi.EventFromHTTP(req)
}

func rieStore(t *testing.T) *storetest.Server {
	t.Helper()
	srv := storetest.Start(t)
	srv.CreateBuckets(t, "src-replica", "src-primary", "transformed")
	jpeg, err := os.ReadFile(filepath.Join("..", "testdata", "photos", "photo.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Put(t, "src-replica", "e2e dir/photo +1 ü.jpg", jpeg, "image/jpeg") // replicated
	srv.Put(t, "src-primary", "e2e dir/photo +1 ü.jpg", jpeg, "image/jpeg")
	srv.Put(t, "src-primary", "fresh/upload.jpg", jpeg, "image/jpeg") // not replicated yet
	srv.Put(t, "src-replica", "taken-down.jpg", jpeg, "image/jpeg")   // deleted, delete not replicated yet
	return srv
}

func checkWebPResponse(t *testing.T, resp events.APIGatewayV2HTTPResponse, w, h int) []byte {
	t.Helper()
	if resp.StatusCode != http.StatusOK || !resp.IsBase64Encoded || resp.Headers["content-type"] != "image/webp" {
		t.Fatalf("status %d base64 %v type %q body %.200q", resp.StatusCode, resp.IsBase64Encoded, resp.Headers["content-type"], resp.Body)
	}
	data, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("body does not decode as WebP: %v", err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("WebP is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	return data
}

func TestLambdaBootstrapUnderRIE(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap and runs the Lambda emulator")
	}
	srv := rieStore(t)
	url, logs := startRIE(t, srv, nil, builtBootstrap(t, "amd64"))
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 240}

	key := contract.VariantKey("e2e dir/photo +1 ü.jpg", v)
	data := checkWebPResponse(t, invoke(t, url, apiEvent(t, http.MethodGet, key, true)), 240, 135)
	checkMetricsLine(t, logs)

	// The variant is in the transformed bucket under exactly its key.
	out, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("transformed"), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("variant not stored under %q: %v", key, err)
	}
	stored, _ := io.ReadAll(out.Body)
	_ = out.Body.Close()
	if !bytes.Equal(stored, data) || aws.ToString(out.ContentType) != "image/webp" || aws.ToString(out.CacheControl) != store.CacheControl {
		t.Errorf("stored %d bytes %q %q; served %d bytes", len(stored), aws.ToString(out.ContentType), aws.ToString(out.CacheControl), len(data))
	}
	jpeg, _ := os.ReadFile(filepath.Join("..", "testdata", "photos", "photo.jpg"))
	if got := out.Metadata[contract.SourceETagMetadata]; got != store.ETag(jpeg) {
		t.Errorf("stored variant records source ETag %q, want %q", got, store.ETag(jpeg))
	}

	// Not yet replicated: read from the primary source bucket.
	checkWebPResponse(t, invoke(t, url, apiEvent(t, http.MethodGet, contract.VariantKey("fresh/upload.jpg", v), true)), 240, 135)

	// HEAD: headers, no body.
	head := invoke(t, url, apiEvent(t, http.MethodHead, key, true))
	if head.StatusCode != http.StatusOK || head.Body != "" || head.Headers["content-length"] != strconv.Itoa(len(data)) {
		t.Errorf("HEAD: status %d body %d chars content-length %q", head.StatusCode, len(head.Body), head.Headers["content-length"])
	}

	// Without CloudFront's secret, and for a missing original.
	if r := invoke(t, url, apiEvent(t, http.MethodGet, key, false)); r.StatusCode != http.StatusForbidden {
		t.Errorf("without the secret: status %d, want 403", r.StatusCode)
	}
	for _, missing := range []string{"nope.jpg", "taken-down.jpg"} {
		if r := invoke(t, url, apiEvent(t, http.MethodGet, contract.VariantKey(missing, v), true)); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404 (the main bucket does not have it)", missing, r.StatusCode)
		}
	}

	checkPurgeUnderRIE(t, srv, key)
}

// TestLambdaArm64BootstrapUnderRIE runs the arm64 zip Lambda deploys, under
// qemu-user-static inside the emulator, through one real conversion.
func TestLambdaArm64BootstrapUnderRIE(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the bootstrap and runs it under qemu")
	}
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		storetest.SkipOrFail(t, "aarch64-linux-gnu-gcc not on PATH (apt-get install gcc-aarch64-linux-gnu libjpeg62-turbo-dev:arm64 libpng-dev:arm64 zlib1g-dev:arm64)")
	}
	qemu, err := exec.LookPath("qemu-aarch64-static")
	if err != nil {
		storetest.SkipOrFail(t, "qemu-aarch64-static not on PATH (apt-get install qemu-user-static)")
	}
	srv := rieStore(t)
	url, _ := startRIE(t, srv, nil, qemu, builtBootstrap(t, "arm64"))
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 240}
	checkWebPResponse(t, invoke(t, url, apiEvent(t, http.MethodGet, contract.VariantKey("e2e dir/photo +1 ü.jpg", v), true)), 240, 135)
}

// checkMetricsLine finds the conversion's log line in the bootstrap's output
// and checks that it carries the converter's metrics, named after the
// function the Lambda environment names (the bootstrap's wiring).
func checkMetricsLine(t *testing.T, logs func() string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		for l := range strings.SplitSeq(logs(), "\n") {
			i := strings.Index(l, "{")
			if i < 0 || !strings.Contains(l, `"_aws"`) {
				continue
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(l[i:]), &line); err != nil {
				t.Fatalf("metrics line %q: %v", l, err)
			}
			if line[contract.MetricDimFunction] != rieFunction || line[contract.MetricDimFormat] != "webp" {
				t.Errorf("metrics line names function %v format %v, want %s and webp", line[contract.MetricDimFunction], line[contract.MetricDimFormat], rieFunction)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with metrics in the bootstrap's output:\n%s", logs())
		}
	}
}
