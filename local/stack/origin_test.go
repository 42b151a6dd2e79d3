package stack

import (
	"bytes"
	"context"
	"image"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	_ "golang.org/x/image/webp"

	"imgcells/contract"
	"imgcells/edge"
)

// recordingConverter passes requests to a region's real converter and keeps
// them, to see what the origin group sent.
type recordingConverter struct {
	next APIHandler
	mu   sync.Mutex
	reqs []events.APIGatewayV2HTTPRequest
}

func (c *recordingConverter) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	c.mu.Unlock()
	return c.next.Handle(ctx, req)
}

func (c *recordingConverter) last(t *testing.T) events.APIGatewayV2HTTPRequest {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reqs) == 0 {
		t.Fatal("the converter was not called")
	}
	return c.reqs[len(c.reqs)-1]
}

// TestOversizedOutputRedirectsToTheViewersURL: an output over the inline
// limit is stored and answered with a 302 whose Location is the URL the
// viewer asked for (odd keys and signed URLs included); following it, the
// edge function rewrites it to the same key and the bucket serves the image.
// The converter gets the viewer's URL and no other viewer header.
func TestOversizedOutputRedirectsToTheViewersURL(t *testing.T) {
	photo, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", "photo.jpg")) // 480×270
	if err != nil {
		t.Fatal(err)
	}
	signed := edge.DefaultConfig()
	signed.Signing = true
	exp := time.Now().Add(time.Hour)
	type request struct {
		key, target string
		w, h        int // the delivered image
	}
	for name, c := range map[string]struct {
		edge     edge.Config
		requests func(signingKey string) []request
	}{
		"unsigned": {edge.DefaultConfig(), func(string) []request {
			return []request{
				// 300×200 cover is a 384×256 box of the same shape
				{"summer sale/red shoe+laces 100%.jpg", "/summer%20sale/red%20shoe+laces%20100%25.jpg?fit=cover&height=200&utm_source=mail&width=300", 384, 256},
				// the first width counts; every value goes back in the URL
				{"produits/chaussure-été/日本.jpg", "/produits/chaussure-%c3%a9t%c3%a9/%E6%97%A5%E6%9C%AC.jpg?width=300&width=1080", 384, 216},
			}
		}},
		"signed": {signed, func(k string) []request {
			return []request{
				{"products/shoe.jpg", edge.SignURL(k, "products/shoe.jpg", url.Values{"width": {"300"}, "height": {"200"}, "fit": {"cover"}}, exp), 384, 256},
				{"it's(1)!*.jpg", edge.SignURL(k, "it's(1)!*.jpg", url.Values{"width": {"200"}}, time.Time{}), 256, 144},
			}
		}},
	} {
		t.Run(name, func(t *testing.T) {
			st := newTestStack(t, Config{Edge: c.edge, SigningKey: "test-key", MaxInlineBytes: 1000})
			reg := st.regions[st.cfg.ViewerRegion]
			rec := &recordingConverter{next: reg.converter}
			reg.converter = rec
			for _, r := range c.requests(st.cfg.SigningKey) {
				if err := st.Upload(context.Background(), r.key, photo); err != nil {
					t.Fatal(err)
				}
				first := get(st, r.target, http.Header{"Cookie": {"session=1"}, "X-Other": {"1"}})
				if first.Code != http.StatusFound || first.Header().Get("Location") != r.target ||
					first.Header().Get("Cache-Control") != "no-store" || first.Header().Get(OriginHeader) != "converter" {
					t.Fatalf("%s: %d Location %q Cache-Control %q origin %q: %s", r.target, first.Code, first.Header().Get("Location"),
						first.Header().Get("Cache-Control"), first.Header().Get(OriginHeader), first.Body.String())
				}
				sent := rec.last(t).Headers
				if sent[contract.ViewerURIHeader] != r.target {
					t.Errorf("%s: converter got %s %q", r.target, contract.ViewerURIHeader, sent[contract.ViewerURIHeader])
				}
				if names := slices.Sorted(maps.Keys(sent)); !slices.Equal(names, []string{"host", "user-agent", contract.VariantHeader, contract.ViewerURIHeader, contract.OriginVerifyHeader}) {
					t.Errorf("%s: converter got headers %v, want only CloudFront's and the edge's", r.target, names)
				}
				if e, ok := reg.cache.get(first.Header().Get(KeyHeader)); ok {
					t.Errorf("%s: the edge cached the %d", r.target, e.status)
				}
				calls := st.Conversions(reg.name)
				again := get(st, first.Header().Get("Location"), nil)
				if again.Code != http.StatusOK || again.Header().Get(OriginHeader) != "s3" || st.Conversions(reg.name) != calls {
					t.Fatalf("%s: following the 302 gave %d from %q (%d more conversions): %s", r.target, again.Code,
						again.Header().Get(OriginHeader), st.Conversions(reg.name)-calls, again.Body.String())
				}
				if again.Header().Get(KeyHeader) != first.Header().Get(KeyHeader) {
					t.Errorf("%s: key %s, then %s", r.target, first.Header().Get(KeyHeader), again.Header().Get(KeyHeader))
				}
				cfg, format, err := image.DecodeConfig(bytes.NewReader(again.Body.Bytes()))
				if err != nil || format != "webp" || cfg.Width != r.w || cfg.Height != r.h {
					t.Errorf("%s: delivered %s %d×%d (%v), want webp %d×%d", r.target, format, cfg.Width, cfg.Height, err, r.w, r.h)
				}
			}
		})
	}
}

func get(st *Stack, target string, h http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	maps.Copy(req.Header, h)
	req.Header.Set("Accept", "image/avif,image/webp,*/*")
	rec := httptest.NewRecorder()
	st.ServeHTTP(rec, req)
	return rec
}
