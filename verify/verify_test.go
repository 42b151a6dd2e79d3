package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const devOutputs = `{
  "apiEndpoints": {"ap-southeast-1": "https://abc.execute-api.ap-southeast-1.amazonaws.com", "us-east-1": "https://def.execute-api.us-east-1.amazonaws.com"},
  "cdnDomain": "d111111abcdef8.cloudfront.net", "cdnHost": "d111111abcdef8.cloudfront.net",
  "distributionId": "E2EXAMPLE", "exampleUrl": "https://d111111abcdef8.cloudfront.net/products/shoe.jpg?width=640",
  "mrapAlias": "abc.mrap", "primarySourceBucket": "src-use1", "signing": false, "avif": true,
  "sourceBuckets": {"ap-southeast-1": "src-apse1", "us-east-1": "src-use1"},
  "transformedBuckets": {"ap-southeast-1": "tr-apse1", "us-east-1": "tr-use1"},
  "originVerifySecret": "[secret]"
}`

func TestParseOutputs(t *testing.T) {
	o, err := ParseOutputs([]byte(devOutputs))
	if err != nil {
		t.Fatal(err)
	}
	if o.PrimaryRegion() != "us-east-1" || o.BaseURL() != "https://d111111abcdef8.cloudfront.net" || o.HasDomain() ||
		o.BucketRegion("tr-apse1") != "ap-southeast-1" || strings.Join(o.Regions(), ",") != "ap-southeast-1,us-east-1" {
		t.Errorf("primary %q base %q domain %v regions %v", o.PrimaryRegion(), o.BaseURL(), o.HasDomain(), o.Regions())
	}
	// A stack deployed before distributionId was exported.
	old := strings.Replace(devOutputs, `"distributionId": "E2EXAMPLE",`, "", 1)
	if _, err := ParseOutputs([]byte(old)); err == nil || !strings.Contains(err.Error(), "distributionId") || !strings.Contains(err.Error(), "pulumi up") {
		t.Errorf("outputs without distributionId: %v", err)
	}
	// A stack deployed before avif was exported: which format browsers get
	// is unknown, so verify asks for a `pulumi up`.
	old = strings.Replace(devOutputs, `"avif": true,`, "", 1)
	if _, err := ParseOutputs([]byte(old)); err == nil || !strings.Contains(err.Error(), "avif") {
		t.Errorf("outputs without avif: %v", err)
	}
	if ct, f := o.BrowserFormat(); ct != "image/avif" || f != "avif" {
		t.Errorf("avif on: browsers get %s (%s)", ct, f)
	}
	off, err := ParseOutputs([]byte(strings.Replace(devOutputs, `"avif": true,`, `"avif": false,`, 1)))
	if ct, _ := off.BrowserFormat(); err != nil || ct != "image/webp" {
		t.Errorf("avif off: browsers get %s (%v)", ct, err)
	}
	if _, err := ParseOutputs([]byte("Current stack outputs (8):")); err == nil || !strings.Contains(err.Error(), "--json") {
		t.Errorf("text outputs: %v", err)
	}
	bad := strings.Replace(devOutputs, `"primarySourceBucket": "src-use1"`, `"primarySourceBucket": "other"`, 1)
	if _, err := ParseOutputs([]byte(bad)); err == nil {
		t.Error("a primary bucket that is no source bucket was accepted")
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 20; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 10 * time.Millisecond, 95: 19 * time.Millisecond, 100: 20 * time.Millisecond} {
		if got := percentile(ds, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if percentile(nil, 95) != 0 || percentile([]time.Duration{7}, 50) != 7 {
		t.Error("percentile of nothing or of one value")
	}
}

// The hostile probe is a PNG whose header claims 10 gigapixels; the probes
// are distinct opaque PNGs.
func TestProbes(t *testing.T) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(hostilePNG()))
	if err != nil || format != "png" || cfg.Width != 100000 || cfg.Height != 100000 {
		t.Fatalf("hostile probe: %s %dx%d %v", format, cfg.Width, cfg.Height, err)
	}
	a, _ := probePNG(0)
	b, _ := probePNG(1)
	if bytes.Equal(a, b) {
		t.Error("two seeds gave one probe")
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, alpha := img.At(5, 5).RGBA(); alpha != 0xffff || img.Bounds().Dx() != probeWidth {
		t.Errorf("probe alpha %x width %d: want opaque, %d wide", alpha, img.Bounds().Dx(), probeWidth)
	}
}

func testRun(o Outputs, client *http.Client) *run {
	r := &run{t: Target{Outputs: o, HTTP: client}, prefix: ProbePrefix + "t/"}
	r.probe = r.prefix + "probe.png"
	return r
}

// With a domain, the execute-api endpoint must not reach the converter: a 404
// (a disabled HTTP API endpoint) or no answer passes, the converter's own 403
// fails.
func TestExecuteAPIClosed(t *testing.T) {
	disabled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}))
	defer disabled.Close()
	open := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer open.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	_ = l.Close() // nothing listens there now

	o, _ := ParseOutputs([]byte(devOutputs))
	o.CDNHost = "img.example.com"
	for endpoint, pass := range map[string]bool{disabled.URL: true, refused: true, open.URL: false} {
		o.APIEndpoints = map[string]string{"us-east-1": endpoint}
		detail, err := testRun(o, newHTTPClient()).executeAPIClosed(context.Background(), "us-east-1")
		if (err == nil) != pass {
			t.Errorf("%s: %q %v, want pass %v", endpoint, detail, err, pass)
		}
		if f := (*failure)(nil); errors.As(err, &f) && !strings.Contains(f.hint, "disableExecuteApiEndpoint") {
			t.Errorf("%s: hint %q does not say what to set", endpoint, f.hint)
		}
	}
}

// With a domain, each region's converter is reached at its regional API
// domain target, presenting convert.<domain> for TLS and as Host.
func TestSecretCheckReachesEachRegionThroughItsDomainTarget(t *testing.T) {
	var gotHost, gotSNI string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHost = r.Host
		if r.Header.Get("x-origin-verify") != "" {
			t.Error("the check sent a secret")
		}
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		gotSNI = h.ServerName
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	o, _ := ParseOutputs([]byte(devOutputs))
	o.CDNHost = "img.example.com"
	o.APIDomainTargets = map[string]string{"us-east-1": "127.0.0.1"}
	r := testRun(o, newHTTPClient())
	client := dialing("127.0.0.1", "convert.img.example.com")
	client.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	client.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify = true
	p, err := r.get(context.Background(), client, "https://convert.img.example.com"+r.probePath(), "", "convert.img.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !converterForbidden(p) || gotHost != "convert.img.example.com" || gotSNI != "convert.img.example.com" {
		t.Errorf("status %d host %q SNI %q", p.status, gotHost, gotSNI)
	}
	// Without the targets output, the check says how to get it.
	o.APIDomainTargets = nil
	if _, err := testRun(o, newHTTPClient()).refusesWithoutSecret(context.Background(), "us-east-1"); err == nil || !strings.Contains(err.Error(), "apiDomainTargets") {
		t.Errorf("no targets: %v", err)
	}
}
