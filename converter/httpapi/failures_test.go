package httpapi_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"imgcells/contract"
	"imgcells/converter/arrive"
	"imgcells/converter/httpapi"
	"imgcells/converter/store"
)

// pngBomb is a valid PNG signature and IHDR claiming 60000x60000 pixels
// (3.6 gigapixels) followed by a tiny IDAT: decoding it would allocate
// gigabytes, so it must be refused from the header.
func pngBomb() []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, typ...)
		b = append(b, data...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 60000)
	binary.BigEndian.PutUint32(ihdr[4:], 60000)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b
}

func TestHostileOriginals(t *testing.T) {
	hs := newHarness(t, nil)
	jpeg := photo(t, "photo.jpg")
	hs.mem.PutReplica("evil/bomb.png", pngBomb())
	hs.mem.PutReplica("evil/truncated.jpg", jpeg[:len(jpeg)/3])
	hs.mem.PutReplica("evil/not-an-image.jpg", []byte("<html><script>alert(1)</script></html>"))
	cases := map[string]int{
		"evil/bomb.png":         http.StatusRequestEntityTooLarge,
		"evil/truncated.jpg":    http.StatusUnprocessableEntity,
		"evil/not-an-image.jpg": http.StatusUnsupportedMediaType,
	}
	for key, want := range cases {
		resp := hs.do(t, withPath(fixture(t, "get.json"), "/"+key+"/format=webp,quality=75,width=240"))
		if resp.StatusCode != want {
			t.Errorf("%s: status %d (%q), want %d", key, resp.StatusCode, resp.Body, want)
		}
		if resp.Headers["cache-control"] != "public, max-age=30" {
			t.Errorf("%s: cache-control %q", key, resp.Headers["cache-control"])
		}
	}
	if n := hs.mem.VariantCount(); n != 0 {
		t.Errorf("hostile originals stored %d variants", n)
	}
}

func TestOriginalOverByteLimitIs413(t *testing.T) {
	hs := newHarness(t, func(c *httpapi.Config) {
		c.Limits.MaxSourceBytes = 10_000 // photo.jpg is 22 kB
		c.Limits.MaxSourcePixels = 50_000_000
	})
	resp := hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d (%q), want 413", resp.StatusCode, resp.Body)
	}
}

// An output over the inline limit is stored and answered with a 302 to the
// stored object itself (the store's short-lived URL), never to the CDN: a
// retry through the CDN could reach a region replication has not reached
// and loop. No header steers it, hostile or not: not even one named as the
// viewer's URL once was (x-imgcells-viewer-uri), which nothing reads now.
func TestOversizedOutputRedirectsToTheStoredObject(t *testing.T) {
	hs := newHarness(t, func(c *httpapi.Config) { c.MaxInlineBytes = 1000 })
	const vkey = "products/photo.jpg/format=png"
	for _, hostile := range []string{"", "/products/photo.jpg?format=png", "//evil.example/x", "https://evil.example/x", "/a\r\nset-cookie: x=1"} {
		e := withPath(fixture(t, "get.json"), "/"+vkey)
		if hostile != "" {
			e.Headers["x-imgcells-viewer-uri"] = hostile
			e.Headers["x-forwarded-host"] = hostile
		}
		resp := hs.do(t, e)
		if resp.StatusCode != http.StatusFound || resp.Headers["cache-control"] != "no-store" || resp.Body != "" {
			t.Fatalf("headers %q: status %d headers %v body %q: want a 302, no-store, no body", hostile, resp.StatusCode, resp.Headers, resp.Body)
		}
		loc, err := url.Parse(resp.Headers["location"])
		if err != nil || loc.Scheme != "https" || loc.Host != store.MemoryURLHost || loc.Path != "/"+vkey ||
			loc.Query().Get("ttl") != httpapi.DefaultRedirectTTL.String() {
			t.Errorf("headers %q: location %q (%v), want the stored %s for %s", hostile, resp.Headers["location"], err, vkey, httpapi.DefaultRedirectTTL)
		}
	}
	stored, ok := hs.mem.Variant(vkey)
	if !ok || len(stored.Data) <= 1000 {
		t.Fatalf("the oversized variant was not stored (ok=%v, %d bytes)", ok, len(stored.Data))
	}

	// The URL's lifetime is the handler's to choose.
	hs = newHarness(t, func(c *httpapi.Config) { c.MaxInlineBytes, c.RedirectTTL = 1000, time.Minute })
	resp := hs.do(t, withPath(fixture(t, "get.json"), "/"+vkey))
	if loc, _ := url.Parse(resp.Headers["location"]); resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("ttl") != "1m0s" {
		t.Errorf("RedirectTTL 1m: status %d location %q", resp.StatusCode, resp.Headers["location"])
	}

	// A HEAD has no body to be too large for: its headers come inline.
	resp = hs.do(t, withPath(fixture(t, "head.json"), "/"+vkey))
	if resp.StatusCode != http.StatusOK || resp.Body != "" || resp.Headers["content-length"] != strconv.Itoa(len(stored.Data)) ||
		resp.Headers["content-type"] != "image/png" {
		t.Errorf("HEAD: status %d headers %v body %d bytes; want 200 with the image's length and type, no body", resp.StatusCode, resp.Headers, len(resp.Body))
	}
}

// Without a URL to the stored copy there is nothing to redirect to: a 500
// that no cache keeps, not a redirect to a CDN that may loop.
func TestOversizedOutputWithoutALinkIs500(t *testing.T) {
	hs := newHarness(t, func(c *httpapi.Config) { c.MaxInlineBytes = 1000 })
	hs.mem.URLErr = errors.New("no credentials")
	resp := hs.do(t, withPath(fixture(t, "get.json"), "/products/photo.jpg/format=png"))
	if resp.StatusCode != http.StatusInternalServerError || resp.Headers["cache-control"] != "no-store" || resp.Headers["location"] != "" {
		t.Fatalf("status %d headers %v, want a 500, no-store, no location", resp.StatusCode, resp.Headers)
	}
	if log := hs.lastLog(t); !strings.Contains(log["error"].(string), "no credentials") {
		t.Errorf("log %v: want the error naming the failed link", log)
	}
}

func TestDefaultInlineLimitFitsTheLambdaResponseCap(t *testing.T) {
	// 6 MB Lambda response cap; base64 grows by 4/3; keep room for headers.
	if enc := (contract.MaxInlineBytes + 2) / 3 * 4; enc > 6_000_000-16_384 {
		t.Fatalf("DefaultMaxInlineBytes base64-encodes to %d bytes, over the 6 MB response cap", enc)
	}
}

func TestStoreFailure(t *testing.T) {
	hs := newHarness(t, nil)
	hs.mem.PutErr = errors.New("bucket unavailable")
	resp := hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusOK || !resp.IsBase64Encoded {
		t.Fatalf("status %d: a failed store must still serve the converted image", resp.StatusCode)
	}
	if log := hs.lastLog(t); log["level"] != "ERROR" || !strings.Contains(log["error"].(string), "bucket unavailable") {
		t.Errorf("log %v: want an ERROR line naming the store failure", log)
	}

	// Oversized output cannot be redirected to a copy that was not stored.
	hs = newHarness(t, func(c *httpapi.Config) { c.MaxInlineBytes = 1000 })
	hs.mem.PutErr = errors.New("bucket unavailable")
	resp = hs.do(t, withPath(fixture(t, "get.json"), "/products/photo.jpg/format=png"))
	if resp.StatusCode != http.StatusInternalServerError || resp.Headers["cache-control"] != "no-store" {
		t.Fatalf("status %d cache-control %q, want 500 no-store", resp.StatusCode, resp.Headers["cache-control"])
	}
	if strings.Contains(resp.Body, "bucket") {
		t.Errorf("500 body %q leaks internal detail", resp.Body)
	}
}

// panicky is an Originals that panics, standing in for a bug anywhere in
// the request path.
type panicky struct{}

func (panicky) GetOriginal(context.Context, string, int64) (store.Original, error) {
	panic("index out of range")
}

func TestPanicBecomes500(t *testing.T) {
	hs := newHarness(t, func(c *httpapi.Config) { c.Originals = panicky{} })
	resp := hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusInternalServerError || resp.Headers["cache-control"] != "no-store" {
		t.Fatalf("status %d cache-control %q, want 500 no-store", resp.StatusCode, resp.Headers["cache-control"])
	}
	if log := hs.lastLog(t); log["level"] != "ERROR" || !strings.Contains(log["error"].(string), "index out of range") {
		t.Errorf("log %v: want the panic logged", log)
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	hs := newHarness(t, nil)
	e := fixture(t, "get.json")
	e.RequestContext.HTTP.Method = http.MethodPost
	resp := hs.do(t, e)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Headers["allow"] != "GET, HEAD" {
		t.Fatalf("POST: status %d allow %q", resp.StatusCode, resp.Headers["allow"])
	}
}

// flaky is a store whose OpenOriginal bodies fail half-way, as an S3 body
// can after its headers (the SDK retries requests, not bodies).
type flaky struct {
	*store.Memory
	opens int
}

func (f *flaky) OpenOriginal(ctx context.Context, key string, maxBytes int64) (store.Original, error) {
	f.opens++
	o, err := f.GetOriginal(ctx, key, maxBytes)
	if err != nil {
		return o, err
	}
	half := io.MultiReader(bytes.NewReader(o.Data[:len(o.Data)/2]), iotest.ErrReader(errors.New("connection reset")))
	o.Arriving, o.Data = arrive.Receive(io.NopCloser(half), len(o.Data)), nil
	return o, nil
}

// A body that fails half-way is read once more, whole, and the request
// succeeds: the image is not at fault. The log line says it was reread.
func TestFailedBodyIsReadAgain(t *testing.T) {
	f := &flaky{}
	hs := newHarness(t, func(c *httpapi.Config) {
		f.Memory = c.Originals.(*store.Memory)
		c.Originals = f
	})
	resp := hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusOK || !resp.IsBase64Encoded {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if f.opens != 1 {
		t.Errorf("%d opens, want 1 (then one whole read)", f.opens)
	}
	if log := hs.lastLog(t); log["reread"] != true || log["status"] != float64(http.StatusOK) {
		t.Errorf("log %v: want a 200 marked reread", log)
	}
}
