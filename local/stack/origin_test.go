package stack

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// hop is one response on a viewer's way to an image.
type hop struct {
	url    string
	status int
	header http.Header
	body   []byte
}

// browse requests target from the stack at base as a browser's <img> does:
// the first request from region (RegionHeader, "" for the stack's default),
// then every redirect followed with a fresh request that carries Accept
// alone, so the simulated routing, not the test, picks each hop's region.
// It gives up after five hops.
func browse(t *testing.T, base, target, region string) []hop {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next, err := url.Parse(base + target)
	if err != nil {
		t.Fatal(err)
	}
	var hops []hop
	for len(hops) < 5 {
		req, err := http.NewRequest(http.MethodGet, next.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "image/avif,image/webp,*/*")
		if len(hops) == 0 && region != "" {
			req.Header.Set(RegionHeader, region)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", next, err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close() // fully read
		if err != nil {
			t.Fatalf("GET %s: %v", next, err)
		}
		hops = append(hops, hop{next.String(), resp.StatusCode, resp.Header, body})
		if resp.StatusCode != http.StatusFound {
			return hops
		}
		loc, err := next.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatalf("bad Location %q: %v", resp.Header.Get("Location"), err)
		}
		next = loc
	}
	return hops
}

// TestOversizedOutputRedirectsToTheStoredObject: an output over the inline
// limit is stored and answered with one 302 (no-store, never cached) to the
// stored object in the converting region's bucket. Followed as a browser
// follows it, it gives the image from the S3 server: never a second
// conversion nor a redirect chain, although the redirect is followed from
// the default region, whose bucket replication has not reached. (Sending the
// viewer back through the CDN did both: that region converted again and
// redirected again.) Odd keys and signed URLs included; the converter gets
// no viewer header but the edge's.
func TestOversizedOutputRedirectsToTheStoredObject(t *testing.T) {
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
			st := newTestStack(t, Config{Edge: c.edge, SigningKey: "test-key", MaxInlineBytes: 1000, ReplicationLag: time.Hour})
			srv := httptest.NewServer(st)
			t.Cleanup(srv.Close)
			home, away := st.cfg.ViewerRegion, st.cfg.Regions[1]
			rec := &recordingConverter{next: st.regions[away].converter}
			st.regions[away].converter = rec
			for _, r := range c.requests(st.cfg.SigningKey) {
				if err := st.Upload(context.Background(), r.key, photo); err != nil {
					t.Fatal(err)
				}
				// First from the region that is not the default, then from
				// the default one, before replication copies anything.
				for i, region := range []string{away, home} {
					before := st.Conversions(home) + st.Conversions(away)
					hops := browse(t, srv.URL, r.target, region)
					if len(hops) != 2 || hops[0].status != http.StatusFound || hops[1].status != http.StatusOK {
						t.Fatalf("%s from %s: %d hops, want one 302 then the image: %s", r.target, region, len(hops), describe(hops))
					}
					first, last := hops[0], hops[1]
					if first.header.Get("Cache-Control") != "no-store" || first.header.Get(OriginHeader) != "converter" {
						t.Errorf("%s from %s: 302 Cache-Control %q origin %q", r.target, region, first.header.Get("Cache-Control"), first.header.Get(OriginHeader))
					}
					if !strings.HasPrefix(last.url, st.S3Endpoint()+"/"+st.Buckets().Transformed(region)+"/") {
						t.Errorf("%s from %s: redirected to %s, want %s's transformed bucket on %s", r.target, region, last.url, region, st.S3Endpoint())
					}
					if n := st.Conversions(home) + st.Conversions(away) - before; n != 1 {
						t.Errorf("%s from %s: %d conversions, want 1", r.target, region, n)
					}
					if e, ok := st.regions[region].cache.get(first.header.Get(KeyHeader)); ok {
						t.Errorf("%s from %s: the edge cached the %d", r.target, region, e.status)
					}
					cfg, format, err := image.DecodeConfig(bytes.NewReader(last.body))
					if err != nil || format != "webp" || cfg.Width != r.w || cfg.Height != r.h || last.header.Get("Content-Type") != "image/webp" {
						t.Errorf("%s from %s: delivered %s %d×%d (%v) as %q, want webp %d×%d", r.target, region, format, cfg.Width, cfg.Height, err,
							last.header.Get("Content-Type"), r.w, r.h)
					}
					if i > 0 {
						continue
					}
					sent := rec.last(t).Headers
					if names := slices.Sorted(maps.Keys(sent)); !slices.Equal(names, []string{"host", "user-agent", contract.VariantHeader, contract.OriginVerifyHeader}) {
						t.Errorf("%s: converter got headers %v, want only CloudFront's and the edge's", r.target, names)
					}
				}
				// Each region now holds its copy: the CDN serves it, no
				// conversion, no redirect.
				for _, region := range []string{away, home} {
					before := st.Conversions(home) + st.Conversions(away)
					hops := browse(t, srv.URL, r.target, region)
					if len(hops) != 1 || hops[0].status != http.StatusOK || hops[0].header.Get(OriginHeader) == "converter" ||
						st.Conversions(home)+st.Conversions(away) != before {
						t.Errorf("%s from %s again: %s", r.target, region, describe(hops))
					}
				}
			}

			// A HEAD has no body to be too large for: the headers come
			// straight back, no redirect.
			req := httptest.NewRequest(http.MethodHead, "/photo-head.jpg?width=300", nil)
			req.Header.Set("Accept", "image/webp")
			if err := st.Upload(context.Background(), "photo-head.jpg", photo); err != nil {
				t.Fatal(err)
			}
			if name == "signed" {
				req = httptest.NewRequest(http.MethodHead, edge.SignURL(st.cfg.SigningKey, "photo-head.jpg", url.Values{"width": {"300"}}, exp), nil)
			}
			w := httptest.NewRecorder()
			st.ServeHTTP(w, req)
			if w.Code != http.StatusOK || w.Header().Get("Location") != "" || w.Body.Len() != 0 {
				t.Errorf("HEAD of an oversized variant: %d Location %q, %d body bytes", w.Code, w.Header().Get("Location"), w.Body.Len())
			}
		})
	}
}

func describe(hops []hop) string {
	var b strings.Builder
	for _, h := range hops {
		fmt.Fprintf(&b, "\n  %s → %d origin=%q failover=%q Location=%q", h.url, h.status, h.header.Get(OriginHeader),
			h.header.Get(FailoverHeader), h.header.Get("Location"))
	}
	return b.String()
}
