package edge_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// The requests the edge function's budget is measured on, in njs
// (njs_test.go): a normal one and the worst a viewer can send.

// budgetCase is one viewer request and what the function answers it with
// signing off and on: "400" or "403", or "/" when it rewrites the request.
type budgetCase struct {
	name    string
	ev      cfrun.Event
	off, on string
}

func event(target string, accept ...string) cfrun.Event {
	h := http.Header{}
	if len(accept) > 0 {
		h["Accept"] = accept
	}
	return cfrun.NewEvent("GET", target, h)
}

// repeat writes unit over and over after prefix up to n characters.
func repeat(prefix, unit string, n int) string {
	return prefix + strings.Repeat(unit, (n-len(prefix))/len(unit))
}

// budgetCases are a normal request first (the baseline), then the worst
// inputs a viewer can send within CloudFront's own limits: a URL of 8,192
// bytes and 20,480 bytes of request line and headers. Those sent with a junk
// sig are rewritten with signing off and refused (403) with it on; the query
// is never refused as such, only a path is (400).
func budgetCases(secret string) []budgetCase {
	chrome := browsers[0].accept
	sign := func(target string) string { return target }
	if secret != "" {
		sign = func(target string) string {
			path, raw, _ := strings.Cut(target, "?")
			q, _ := url.ParseQuery(raw)
			key, _ := url.PathUnescape(strings.TrimPrefix(path, "/"))
			return edge.SignURL(secret, key, q, time.Unix(now+60, 0))
		}
	}
	junkSig := "&sig=" + strings.Repeat("0", 64)
	var accept20k []string
	for range 100 {
		accept20k = append(accept20k, repeat("", "text/html;q=0.9,", 200))
	}
	atBound := strings.Repeat("+", edge.MaxValueLength)
	return []budgetCase{
		{"normal", event(sign("/products/shoe.jpg?width=640"), chrome), "/", "/"},
		{"box, fit and quality", event(sign("/products/summer%20sale/shoe.jpg?width=600&height=400&fit=cover&quality=70"), chrome), "/", "/"},
		{"8 KB of one-character segments", event(repeat("", "/a", 8190)+"?width=640"+junkSig, chrome), "400", "400"},
		{"one-character segments up to the URI cap", event(repeat("", "/a", 3075)+"?width=640"+junkSig, chrome), "400", "400"},
		{"8 KB of %XX", event(repeat("/", "%41", 8190)+junkSig[1:], chrome), "400", "400"},
		// a key too long only once rewritten: the signature is checked first
		{"%XX up to the URI cap", event(repeat("/", "%41", 3075)+"?width=640"+junkSig, chrome), "400", "403"},
		{"the longest key, all %XX", event(sign(repeat("/", "%C3%A9", 2900)+"?width=640"), chrome), "/", "/"},
		{"encoded slashes, 256 segments", event(sign(repeat("/a", "%2Fa", 1020)+"?width=640"), chrome), "/", "/"},
		{"20 KB Accept on one line", event("/a.jpg?width=640"+junkSig, repeat("", "image/png;q=0.5,", 20000)+"image/webp"), "/", "403"},
		{"20 KB Accept on 100 lines", event("/a.jpg?width=640"+junkSig, accept20k...), "/", "403"},
		// queries once refused (more than 50 values or 1,024 characters),
		// now read by name only
		{"8 KB of one repeated query parameter", event(repeat("/a.jpg?", "width=1&", 8180)+junkSig[1:], chrome), "/", "403"},
		{"8 KB of distinct query parameters", event(distinctParams(8180)+junkSig, chrome), "/", "403"},
		{"50 query parameters", event(repeat("/a.jpg?", "width=1&", 8*49)+junkSig[1:], chrome), "/", "403"},
		{"a signed URL with 8 KB of tracking parameters", event(sign(trackingParams(8000)), chrome), "/", "/"},
		{"8 KB of one repeated signed name, each at the bound", event(repeat("/a.jpg?", "fit="+atBound+"&", 8100)+junkSig[1:], chrome), "/", "403"},
		// values over the bound: ignored unread
		{"8 KB in one width", event("/a.jpg?width="+strings.Repeat("9", 8100)+junkSig, chrome), "/", "403"},
		{"8 KB of %XX in a signed value", event(repeat("/a.jpg?fit=", "%26", 8100)+junkSig, chrome), "/", "403"},
		{"1 KB of non-ASCII in a query value", event("/a.jpg?x="+strings.Repeat("日", 956)+junkSig, chrome), "/", "403"},
		{"1 KB of non-ASCII and %", event("/a.jpg?x="+strings.Repeat("日%", 478)+junkSig, chrome), "/", "403"},
		{"1 KB of \\ and letters in a query value", event("/a.jpg?x="+strings.Repeat("\\a", 478)+junkSig, chrome), "/", "403"},
		{"1 KB of + in a width", event("/a.jpg?width="+strings.Repeat("+", 952)+junkSig, chrome), "/", "403"},
		{"1 KB of encoded & in signed values", event("/a.jpg?fit="+strings.Repeat("%26", 318)+junkSig, chrome), "/", "403"},
		{"8 KB of non-ASCII in a query value", event("/a.jpg?x="+strings.Repeat("日", 2700)+junkSig, chrome), "/", "403"},
		// values at the bound: read, decoded and, signing on, signed
		{"every signed value at the bound: +", event(atTheBound(secret, "+"), chrome), "/", "/"},
		{"every signed value at the bound: !'()*", event(atTheBound(secret, "!'()*"), chrome), "/", "/"},
		{"every signed value at the bound: %C3%A9", event(atTheBound(secret, "%C3%A9"), chrome), "/", "/"},
		{"every signed value at the bound: %26", event(atTheBound(secret, "%26"), chrome), "/", "/"},
		{"every signed value at the bound: 日", event(atTheBound(secret, "日"), chrome), "/", "/"},
		{"non-ASCII path up to 8 KB", event("/"+strings.Repeat("日", 2700)+"?width=640"+junkSig, chrome), "400", "400"},
	}
}

// trackingParams is a URL whose query is a width and then the tracking
// parameters of ad and mail campaigns up to about n characters.
func trackingParams(n int) string {
	var b strings.Builder
	b.WriteString("/products/shoe.jpg?width=640")
	for i := 0; b.Len() < n-60; i++ {
		fmt.Fprintf(&b, "&utm_source=news%d&utm_medium=email&gclid=Cj0KCQjw%d", i, i)
	}
	return b.String()
}

// atTheBound is a URL whose covered values (fit, format, height, quality,
// width) are unit repeated up to edge.MaxValueLength characters as sent, the
// longest the function reads, signed with secret (when set) over their
// decoded values.
func atTheBound(secret, unit string) string {
	v := strings.Repeat(unit, edge.MaxValueLength/utf8.RuneCountInString(unit))
	names := []string{"fit", "format", "height", "quality", "width"}
	params := url.Values{}
	var q []string
	for _, name := range names {
		d, err := url.QueryUnescape(v)
		if err != nil {
			panic(err)
		}
		params.Set(name, d)
		q = append(q, name+"="+v)
	}
	target := "/a.jpg?" + strings.Join(q, "&")
	if secret == "" {
		return target + "&sig=" + strings.Repeat("0", 64)
	}
	return target + "&sig=" + edge.Signature(secret, "a.jpg", params)
}

func distinctParams(n int) string {
	var b strings.Builder
	b.WriteString("/a.jpg?")
	for i := 0; b.Len() < n-12; i++ {
		fmt.Fprintf(&b, "p%d=1&", i)
	}
	b.WriteString("width=640")
	return b.String()
}

// budgetConfig is the default configuration with signing on or off, and
// the signing key and store.
func budgetConfig(signing bool) (cfg edge.Config, secret string, kvs map[string]string) {
	cfg = edge.DefaultConfig()
	cfg.Signing = signing
	if signing {
		secret, kvs = "budget-key", map[string]string{edge.KeyCurrent: "budget-key"}
	}
	return cfg, secret, kvs
}
