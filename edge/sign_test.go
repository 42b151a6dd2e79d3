package edge_test

import (
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

const now = 1_800_000_000 // the function's clock in these tests

func signingRunner(t *testing.T, kvs map[string]string) func(target string) (int, string) {
	t.Helper()
	cfg := edge.DefaultConfig()
	cfg.Signing = true
	r := runner(t, cfg, kvs, fixedClock())
	return func(target string) (int, string) {
		res := run(t, r, "GET", target, "image/webp")
		if res.Response != nil {
			return res.Response.StatusCode, res.Response.Body
		}
		return 200, res.Request.URL()
	}
}

func TestSignedURLs(t *testing.T) {
	kvs := map[string]string{edge.KeyCurrent: "k-2026-11"}
	get := signingRunner(t, kvs)
	p := url.Values{"width": {"640"}}
	good := edge.SignURL("k-2026-11", "products/red shoe.jpg", p, time.Unix(now+60, 0))
	noExp := edge.SignURL("k-2026-11", "products/red shoe.jpg", p, time.Time{})
	want := "/products/red%20shoe.jpg/format=webp,quality=75,width=640"
	// a format of n characters as SignURL writes it (garbage: format=auto)
	withFormat := func(n int) string {
		q := url.Values{"width": {"640"}, "format": {"webp" + strings.Repeat("_", n-4)}}
		return edge.SignURL("k-2026-11", "products/red shoe.jpg", q, time.Unix(now+60, 0))
	}
	tracking := strings.Repeat("&utm_source=mail&utm_medium=email&gclid=Cj0KCQjw", 150)
	for _, c := range []struct {
		name, target string
		status       int
	}{
		{"good", good, 200},
		{"good without exp", noExp, 200},
		{"good, upper-case hex", upperSig(t, good), 200},
		{"good, sig all percent-encoded", percentSig(t, good), 200},
		{"good, other spelling of the path", strings.Replace(good, "red%20shoe", "r%65d%20shoe", 1), 200},
		{"good, unsigned junk added", good + "&utm=x", 200},
		{"good, 7 KB of tracking parameters added", good + tracking, 200},
		{"good, a width over the bound added after", good + "&width=" + strings.Repeat("1", edge.MaxValueLength+1), 200},
		{"good, a signed value at the bound", withFormat(edge.MaxValueLength), 200},
		// the function leaves a value over the bound out of the message
		{"a signed value over the bound never verifies", withFormat(edge.MaxValueLength + 1), 403},
		{"width over the bound before the signed one", strings.Replace(good, "?", "?width="+strings.Repeat("1", edge.MaxValueLength+1)+"&", 1), 403},
		{"missing", "/products/red%20shoe.jpg?width=640", 403},
		{"wrong key", edge.SignURL("other", "products/red shoe.jpg", p, time.Unix(now+60, 0)), 403},
		{"width changed", strings.Replace(good, "width=640", "width=1080", 1), 403},
		{"width added", good + "&height=10", 403},
		{"path changed", strings.Replace(good, "red%20shoe", "blue%20shoe", 1), 403},
		{"exp extended", strings.Replace(good, "exp=1800000060", "exp=1800000999", 1), 403},
		{"expired", edge.SignURL("k-2026-11", "products/red shoe.jpg", p, time.Unix(now-1, 0)), 403},
		{"bad exp", strings.Replace(noExp, "sig=", "exp=soon&sig=", 1), 403},
		{"truncated sig", good[:len(good)-2], 403},
		{"empty sig", "/products/red%20shoe.jpg?width=640&sig=", 403},
	} {
		status, got := get(c.target)
		if status != c.status {
			t.Errorf("%s (%s): got %d %s, want %d", c.name, c.target, status, got, c.status)
		}
		if status == 200 && got != want {
			t.Errorf("%s: rewritten to %s, want %s", c.name, got, want)
		}
	}
}

// TestSignerMatchesVectors: edge.SignedMessage and edge.SignURL give exactly
// the messages and URLs of the shared vectors, which the function accepts
// (TestSigningVectors), so the Go signer and rewrite.js sign the same text.
func TestSignerMatchesVectors(t *testing.T) {
	v := signingVectors(t)
	for _, s := range v.Signed {
		exp := time.Time{}
		params := url.Values{}
		maps.Copy(params, s.Params)
		if s.Exp != 0 {
			exp = time.Unix(s.Exp, 0)
			params.Set("exp", strconv.FormatInt(s.Exp, 10))
		}
		if got := edge.SignedMessage(s.Key, params); got != s.Message {
			t.Errorf("%q %v: SignedMessage %q, want %q", s.Key, s.Params, got, s.Message)
		}
		if got := edge.SignURL(v.Secret, s.Key, s.Params, exp); got != s.Target {
			t.Errorf("%q %v: SignURL %q, want %q", s.Key, s.Params, got, s.Target)
		}
	}
}

// TestSigningVectors: the function answers every request of the shared
// vectors as they say: 403 for each forgery (values folded, repeated, case
// changed, + for %20, encoded & and =, another key, expired), the variant
// for signed URLs and harmless respellings of them.
func TestSigningVectors(t *testing.T) {
	v := signingVectors(t)
	cfg := edge.DefaultConfig()
	cfg.Signing = true
	r := runner(t, cfg, map[string]string{edge.KeyCurrent: v.Secret},
		cfrun.WithClock(func() time.Time { return time.Unix(v.Now, 0) }))
	for _, c := range v.Requests {
		res := run(t, r, "GET", c.Target, "")
		switch {
		case res.Response != nil && res.Response.StatusCode != c.Status:
			t.Errorf("%s (%s): got %d %q, want %d", c.Name, c.Target, res.Response.StatusCode, res.Response.Body, c.Status)
		case res.Request != nil && (c.Status != 200 || res.Request.URL() != c.URI):
			t.Errorf("%s (%s): rewritten to %s, want %d %s", c.Name, c.Target, res.Request.URL(), c.Status, c.URI)
		}
	}
}

// TestSignatureCoversDecodedValues: a signer that percent-encodes values
// (url.Values does) and the function agree.
func TestSignatureCoversDecodedValues(t *testing.T) {
	get := signingRunner(t, map[string]string{edge.KeyCurrent: "s3cr3t"})
	target := edge.SignURL("s3cr3t", "a/ü.jpg", url.Values{"format": {"jpeg"}, "fit": {"cover"}, "width": {"10"}, "height": {"20"}, "quality": {"50"}}, time.Time{})
	if status, got := get(target); status != 200 || got != "/a/%C3%BC.jpg/format=jpeg,quality=50,width=16,height=28,fit=cover" {
		t.Errorf("got %d %s", status, got)
	}
}

// TestKeyRotation: both the current and the previous key verify, and a
// rotation takes effect without a new function.
func TestKeyRotation(t *testing.T) {
	cfg := edge.DefaultConfig()
	cfg.Signing = true
	r := runner(t, cfg, map[string]string{edge.KeyCurrent: "old"}, fixedClock())
	oldURL := edge.SignURL("old", "x.jpg", nil, time.Time{})
	newURL := edge.SignURL("new", "x.jpg", nil, time.Time{})
	status := func(target string) int {
		if res := run(t, r, "GET", target, ""); res.Response != nil {
			return res.Response.StatusCode
		}
		return 200
	}
	if status(oldURL) != 200 || status(newURL) != 403 {
		t.Fatalf("before rotation: old %d, new %d", status(oldURL), status(newURL))
	}
	r.SetKVS(map[string]string{edge.KeyCurrent: "new", edge.KeyPrevious: "old"})
	if status(oldURL) != 200 || status(newURL) != 200 {
		t.Errorf("during rotation: old %d, new %d", status(oldURL), status(newURL))
	}
	r.SetKVS(map[string]string{edge.KeyCurrent: "new"})
	if status(oldURL) != 403 || status(newURL) != 200 {
		t.Errorf("after rotation: old %d, new %d", status(oldURL), status(newURL))
	}
	r.SetKVS(nil)
	if status(newURL) != 403 {
		t.Errorf("no key in the store: want 403 (fail closed), got %d", status(newURL))
	}
}

// TestSigningOffIgnoresSig: without signing, sig and exp are dropped.
func TestSigningOffIgnoresSig(t *testing.T) {
	r := runner(t, edge.DefaultConfig(), nil, fixedClock())
	got := rewritten(t, run(t, r, "GET", "/x.jpg?sig=bad&exp=1", ""))
	if got != "/x.jpg/format=jpeg,quality=75" {
		t.Errorf("got %s", got)
	}
}

// percentSig rewrites a target's sig with every character as %XX (192
// characters: within the 256 the function reads of a value).
func percentSig(t *testing.T, target string) string {
	before, sig, ok := strings.Cut(target, "sig=")
	if !ok || len(sig) < 64 {
		t.Fatalf("no sig in %s", target)
	}
	var b strings.Builder
	for _, c := range []byte(sig[:64]) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return before + "sig=" + b.String() + sig[64:]
}

// upperSig rewrites a target's sig in upper-case hex.
func upperSig(t *testing.T, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("sig", strings.ToUpper(q.Get("sig")))
	u.RawQuery = q.Encode()
	return u.String()
}
