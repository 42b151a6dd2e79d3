package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chai2010/webp"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/httpapi"
	"imgcells/converter/lambdazip"
	"imgcells/converter/lambdazip/rie"
	"imgcells/converter/store"
	"imgcells/converter/store/storetest"
	"imgcells/internal/aviftest"
)

// The built converter bootstrap, run by the Lambda Runtime Interface
// Emulator (the real runtime API) with S3 pointed at versitygw, answers API
// Gateway HTTP API events.

const rieSecret = "e2e-origin-verify-secret-0123456789"

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
	bin, err := lambdazip.Extract(a.Path, dir)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// rieFunction is the function name the emulated Lambda environment carries.
const rieFunction = "imgcells-e2e-converter"

// startRIE runs the emulator in the background with cmdline as the
// function's bootstrap (with extraEnv besides the converter's environment),
// and returns its invoke URL and its output so far. It is killed at the end
// of the test, or after two minutes at most.
func startRIE(t *testing.T, srv *storetest.Server, extraEnv []string, cmdline ...string) (string, func() string) {
	t.Helper()
	bin, err := rie.Find()
	if err != nil {
		storetest.SkipOrFail(t, err.Error())
	}
	env := []string{
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
		contract.EnvGlibcTunables + "=" + contract.ConverterGlibcTunables, // as the stack sets it
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	f, err := rie.Start(ctx, bin, append(env, extraEnv...), t.TempDir(), cmdline...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Stop()
		cancel()
		if t.Failed() {
			t.Logf("aws-lambda-rie and bootstrap output:\n%s", f.Logs())
		}
	})
	return f.URL, f.Logs
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

// checkAVIFResponse: the bootstrap's AVIF (libaom linked statically) is a
// base64 AVIF of w×h that avifdec, an independent decoder, decodes.
func checkAVIFResponse(t *testing.T, resp events.APIGatewayV2HTTPResponse, w, h int) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || !resp.IsBase64Encoded || resp.Headers["content-type"] != "image/avif" {
		t.Fatalf("status %d base64 %v type %q body %.200q", resp.StatusCode, resp.IsBase64Encoded, resp.Headers["content-type"], resp.Body)
	}
	data, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := aviftest.Decode(t, data, "")
	if b := m.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("AVIF decodes to %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
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
	checkInitReport(t, logs)
	// The zip's C is built for SSE4.1, this test's with the default flags:
	// libwebp's faster paths must give the same bytes.
	src, _ := os.ReadFile(filepath.Join("..", "testdata", "photos", "photo.jpg"))
	if here, err := converter.Convert(src, v, converter.DefaultLimits()); err != nil || !bytes.Equal(here.Data, data) {
		t.Errorf("the bootstrap's WebP (%d bytes) differs from this process's conversion (%d bytes, %v)", len(data), len(here.Data), err)
	}

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

	avif := contract.Variant{Format: contract.FormatAVIF, Quality: 75, Width: 240}
	checkAVIFResponse(t, invoke(t, url, apiEvent(t, http.MethodGet, contract.VariantKey("e2e dir/photo +1 ü.jpg", avif), true)), 240, 135)

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
// qemu-user-static inside the emulator, through a WebP and an AVIF conversion.
func TestLambdaArm64BootstrapUnderRIE(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the bootstrap and runs it under qemu")
	}
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		storetest.SkipOrFail(t, "aarch64-linux-gnu-gcc not on PATH (scripts/deps.sh build)")
	}
	qemu, err := exec.LookPath("qemu-aarch64-static")
	if err != nil {
		storetest.SkipOrFail(t, "qemu-aarch64-static not on PATH (apt-get install qemu-user-static)")
	}
	srv := rieStore(t)
	url, _ := startRIE(t, srv, nil, qemu, builtBootstrap(t, "arm64"))
	v := contract.Variant{Format: contract.FormatWebP, Quality: 75, Width: 240}
	checkWebPResponse(t, invoke(t, url, apiEvent(t, http.MethodGet, contract.VariantKey("e2e dir/photo +1 ü.jpg", v), true)), 240, 135)
	v.Format = contract.FormatAVIF
	checkAVIFResponse(t, invoke(t, url, apiEvent(t, http.MethodGet, contract.VariantKey("e2e dir/photo +1 ü.jpg", v), true)), 240, 135)
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
			// Stored after the answer, the extension holding the
			// invocation open until it was.
			if line["after_response"] != true || line["stored"] != true {
				t.Errorf("metrics line has after_response %v stored %v, want true and true", line["after_response"], line["stored"])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with metrics in the bootstrap's output:\n%s", logs())
		}
	}
}

// checkInitReport reads the emulator's reports of the first invoke, as
// bench/lambda does: one init phase, one REPORT, and the bootstrap's "init"
// line saying what its start cost (its CPU time and fresh pages).
func checkInitReport(t *testing.T, logs func() string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out := logs()
		inits, err := rie.InitDurations(out)
		if err != nil {
			t.Fatal(err)
		}
		reports, err := rie.Reports(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(inits) == 1 && len(reports) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after one invoke: %d init reports and %d REPORT lines, want 1 and 1:\n%s", len(inits), len(reports), out)
		}
	}
	for l := range strings.SplitSeq(logs(), "\n") {
		var line struct {
			Msg         string  `json:"msg"`
			CPUMS       float64 `json:"cpu_ms"`
			MinorFaults int64   `json:"minor_faults"`
			HugePages   string  `json:"transparent_hugepage"`
			StoreAfter  bool    `json:"store_after_response"`
			CSIMD       string  `json:"c_simd"`
		}
		if json.Unmarshal([]byte(l), &line) != nil || line.Msg != "init" {
			continue
		}
		if line.CPUMS <= 0 || line.MinorFaults <= 0 {
			t.Errorf("init line %s: want its CPU time and page faults", l)
		}
		if line.HugePages != converter.HugePageMode() {
			t.Errorf("init line %s: want the kernel's transparent huge page mode, %q", l, converter.HugePageMode())
		}
		if !line.StoreAfter {
			t.Errorf("init line %s: the after-response extension did not register", l)
		}
		// The amd64 zip's C is built for SSE4.1 (lambdazip.CFlags), where
		// libwebp encodes faster.
		if line.CSIMD != "sse4.1" {
			t.Errorf("init line %s: the amd64 bootstrap's C was built for %q, want sse4.1", l, line.CSIMD)
		}
		return
	}
	t.Errorf("no init line in the bootstrap's output:\n%s", logs())
}
