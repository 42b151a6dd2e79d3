package tests

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"imgcells/contract"
	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// The edge↔converter contract: every URI the edge function produces decodes
// (as S3 and API Gateway decode a path) to a path contract.ParseKey accepts,
// naming the key the viewer asked for, and formats back to itself.

type vectors struct {
	Canonical []struct {
		Ops     string `json:"ops"`
		Variant struct {
			Format                 string
			Quality, Width, Height int
			Fit                    string
		} `json:"variant"`
	} `json:"canonical"`
	Paths []struct {
		Path, Key, Ops, Refused string
	} `json:"paths"`
	Viewer struct {
		Requests []struct {
			Method, Target, Accept, URI string
			Status                      int
		}
	} `json:"viewer"`
}

func readVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("../testdata/variants.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("variants.json: %v", err)
	}
	return v
}

func newRunner(t *testing.T, cfg edge.Config) *cfrun.Runner {
	t.Helper()
	code, err := edge.Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfrun.New(code, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rewrite runs one viewer request and returns the URI the edge produced.
func rewrite(t *testing.T, r *cfrun.Runner, method, target, accept string) (string, bool) {
	t.Helper()
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	res, err := r.Run(cfrun.NewEvent(method, target, h))
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	if res.Response != nil {
		return "", false
	}
	if len(res.Request.Querystring) != 0 {
		t.Errorf("%s: query string left: %v", target, res.Request.Querystring)
	}
	return res.Request.URI, true
}

// checkContract asserts the converter reads uri as wantKey and that the
// variant formats back to exactly uri.
func checkContract(t *testing.T, uri, wantKey string) {
	t.Helper()
	decoded, err := url.PathUnescape(uri)
	if err != nil {
		t.Errorf("%s: does not decode: %v", uri, err)
		return
	}
	key, v, err := contract.ParseKey(decoded)
	if err != nil {
		t.Errorf("%s: converter refuses %q: %v", uri, decoded, err)
		return
	}
	if key != wantKey {
		t.Errorf("%s: converter reads key %q, viewer asked for %q", uri, key, wantKey)
	}
	if back := "/" + contract.VariantKey(key, v); back != decoded {
		t.Errorf("%s: formats back to %q, not %q", uri, back, decoded)
	}
	if enc := contract.EncodePath(key) + "/" + v.String(); enc != uri {
		t.Errorf("%s: canonical encoding is %q", uri, enc)
	}
}

func TestViewerVectorsMeetTheConverter(t *testing.T) {
	r := newRunner(t, edge.DefaultConfig())
	for _, v := range readVectors(t).Viewer.Requests {
		uri, ok := rewrite(t, r, v.Method, v.Target, v.Accept)
		if !ok || v.Status != 0 {
			continue // answered by the function itself (edge tests check which)
		}
		path, _, _ := strings.Cut(v.Target, "?")
		key, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
		if err != nil {
			t.Fatalf("%s: %v", v.Target, err)
		}
		checkContract(t, uri, key)
	}
}

// TestKeysTimesParameters: every accepted key of the vector file, spelt as a
// viewer would, crossed with parameter sets and Accept headers.
func TestKeysTimesParameters(t *testing.T) {
	r := newRunner(t, edge.DefaultConfig())
	queries := []string{"", "width=1", "width=641&height=99999", "quality=1", "quality=100&format=png",
		"format=jpg&width=640&height=480&fit=cover", "fit=cover&width=10", "format=webp&quality=55&height=700",
		"width=0&height=-1&quality=abc&format=bmp", "format=avif"}
	accepts := []string{"", "*/*", "image/webp", "image/avif,image/webp,*/*", "image/webp;q=0"}
	n := 0
	for _, p := range readVectors(t).Paths {
		if p.Refused != "" {
			continue
		}
		spellings := []string{contract.EncodePath(p.Key), "/" + strings.ReplaceAll(url.PathEscape(p.Key), "%2F", "/")}
		for _, target := range spellings {
			for _, q := range queries {
				for _, a := range accepts {
					uri, ok := rewrite(t, r, "GET", target+"?"+q, a)
					if !ok {
						t.Errorf("%s?%s: refused", target, q)
						continue
					}
					checkContract(t, uri, p.Key)
					n++
				}
			}
		}
	}
	t.Logf("%d rewritten URIs checked against contract.ParseKey", n)
}

// TestCanonicalVariantsRequestedExplicitly: with breakpoints, aspect ratios
// and qualities that contain the vectors' values, asking for a canonical variant by its
// parameters yields exactly its canonical ops.
func TestCanonicalVariantsRequestedExplicitly(t *testing.T) {
	vs := readVectors(t)
	cfg := edge.Config{DefaultQuality: 75, Qualities: []int{75}, AVIF: true}
	for _, c := range vs.Canonical {
		for _, n := range []int{c.Variant.Width, c.Variant.Height} {
			if n > 0 && !slices.Contains(cfg.Widths, n) {
				cfg.Widths = append(cfg.Widths, n)
			}
		}
		if q := c.Variant.Quality; q > 0 && !slices.Contains(cfg.Qualities, q) {
			cfg.Qualities = append(cfg.Qualities, q)
		}
		if w, h := c.Variant.Width, c.Variant.Height; w > 0 && h > 0 {
			g := gcd(w, h)
			if r := (edge.AspectRatio{W: w / g, H: h / g}); !slices.Contains(cfg.AspectRatios, r) {
				cfg.AspectRatios = append(cfg.AspectRatios, r)
			}
		}
	}
	slices.Sort(cfg.Widths)
	slices.Sort(cfg.Qualities)
	r := newRunner(t, cfg)
	for _, c := range vs.Canonical {
		q := url.Values{"format": {c.Variant.Format}}
		if c.Variant.Quality > 0 {
			q.Set("quality", strconv.Itoa(c.Variant.Quality))
		}
		if c.Variant.Width > 0 {
			q.Set("width", strconv.Itoa(c.Variant.Width))
		}
		if c.Variant.Height > 0 {
			q.Set("height", strconv.Itoa(c.Variant.Height))
		}
		if c.Variant.Fit == "cover" {
			q.Set("fit", "cover")
		}
		uri, ok := rewrite(t, r, "GET", "/products/shoe.jpg?"+q.Encode(), "")
		if want := "/products/shoe.jpg/" + c.Ops; !ok || uri != want {
			t.Errorf("?%s: got %s, want %s", q.Encode(), uri, want)
			continue
		}
		checkContract(t, uri, "products/shoe.jpg")
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// TestRefusedKeysStopAtTheEdge: keys the converter refuses (empty, "." or
// ".." segments, empty segments, control characters) never reach it.
func TestRefusedKeysStopAtTheEdge(t *testing.T) {
	r := newRunner(t, edge.DefaultConfig())
	n := 0
	for _, p := range readVectors(t).Paths {
		i := strings.LastIndexByte(p.Path, '/')
		key := strings.TrimPrefix(p.Path[:max(i, 0)], "/")
		if p.Refused == "" || contract.CheckOriginalKey(key) == nil {
			continue // refused for its ops, not its key
		}
		if uri, ok := rewrite(t, r, "GET", contract.EncodePath(key)+"?width=640", "image/webp"); ok {
			t.Errorf("key %q (%s): edge rewrote it to %s", key, p.Refused, uri)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no refused keys in the vector file")
	}
}
