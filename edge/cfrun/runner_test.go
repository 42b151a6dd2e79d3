package cfrun_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"imgcells/edge/cfrun"
)

func load(t *testing.T, code string, kvs map[string]string, opts ...cfrun.Option) *cfrun.Runner {
	t.Helper()
	r, err := cfrun.New([]byte(code), kvs, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// echo returns the value its expression computes as the response body.
func echo(t *testing.T, expr string, kvs map[string]string) (string, error) {
	t.Helper()
	r := load(t, "import crypto from 'crypto';\nimport cf from 'cloudfront';\n"+
		"async function handler(event) {\n  return { statusCode: 200, body: String(await ("+expr+")) };\n}\n", kvs)
	res, err := r.Run(cfrun.NewEvent("GET", "/", nil))
	if err != nil {
		return "", err
	}
	return res.Response.Body, nil
}

func TestForGoja(t *testing.T) {
	src, mods, err := cfrun.ForGoja([]byte("import crypto from 'crypto';\nimport cf from 'cloudfront';\nvar x = 1; // import y from 'z'\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "var crypto = __cfrun_module('crypto');\nvar cf = __cfrun_module('cloudfront');\nvar x = 1; // import y from 'z'\n"
	if src != want || fmt.Sprint(mods) != "[crypto cloudfront]" {
		t.Errorf("got %q %v", src, mods)
	}
	for _, bad := range []string{"import fs from 'fs';\n", "import { get } from 'cloudfront';\n", "export function handler(e) { return e.request; }\n"} {
		if _, _, err := cfrun.ForGoja([]byte(bad)); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestCryptoModule(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		// RFC 4231 test case 2
		{`crypto.createHmac('sha256', 'Jefe').update('what do ya want ').update('for nothing?').digest('hex')`,
			"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{`crypto.createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('base64')`,
			"W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="},
		{`crypto.createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('base64url')`,
			"W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM"},
		{`crypto.createHash('sha256').update('abc').digest('hex')`,
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	} {
		got, err := echo(t, c.expr, nil)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.expr, got, err, c.want)
		}
	}
	for _, expr := range []string{`crypto.createHmac('sha256', 'k').digest()`, `crypto.createHash('sha3').digest('hex')`} {
		if got, err := echo(t, expr, nil); err == nil {
			t.Errorf("%s: got %q, want an error", expr, got)
		}
	}
}

func TestKeyValueStore(t *testing.T) {
	kvs := map[string]string{"k": "v", "j": `{"a":[1,2]}`}
	for _, c := range []struct{ expr, want string }{
		{`cf.kvs().get('k')`, "v"},
		{`cf.kvs().get('k', {format: 'string'})`, "v"},
		{`cf.kvs().get('j', {format: 'json'}).then(function (o) { return o.a[1]; })`, "2"},
		{`cf.kvs().exists('k')`, "true"},
		{`cf.kvs().exists('missing')`, "false"},
		{`cf.kvs().get('missing').then(function () { return 'found'; }, function (e) { return 'rejected'; })`, "rejected"},
	} {
		got, err := echo(t, c.expr, kvs)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.expr, got, err, c.want)
		}
	}
	if _, err := echo(t, `cf.kvs().get('missing')`, kvs); err == nil {
		t.Error("an unhandled missing key must fail the function")
	}
}

func TestFunctionFailures(t *testing.T) {
	for name, code := range map[string]string{
		"throws":         "function handler(e) { throw new Error('boom'); }",
		"rejects":        "async function handler(e) { throw new Error('boom'); }",
		"never settles":  "function handler(e) { return new Promise(function () {}); }",
		"changes method": "function handler(e) { e.request.method = 'POST'; return e.request; }",
		"relative uri":   "function handler(e) { e.request.uri = 'x'; return e.request; }",
		"returns text":   "function handler(e) { return 'x'; }",
	} {
		r := load(t, code, nil)
		if res, err := r.Run(cfrun.NewEvent("GET", "/a", nil)); err == nil {
			t.Errorf("%s: got %+v, want an error", name, res)
		}
	}
	if _, err := cfrun.New([]byte("var x = 1;"), nil); err == nil {
		t.Error("code without a handler loaded")
	}
	if _, err := cfrun.New([]byte("function handler(e) {"), nil); err == nil {
		t.Error("code with a syntax error loaded")
	}
}

// TestTimeLimit: a runaway function is stopped, and the runner keeps working.
func TestTimeLimit(t *testing.T) {
	r := load(t, "function handler(e) { if (e.request.uri === '/loop') { for (;;) {} } return e.request; }", nil,
		cfrun.WithTimeLimit(50*time.Millisecond))
	if _, err := r.Run(cfrun.NewEvent("GET", "/loop", nil)); err == nil {
		t.Fatal("endless loop was not stopped")
	}
	if res, err := r.Run(cfrun.NewEvent("GET", "/ok", nil)); err != nil || res.Request.URI != "/ok" {
		t.Fatalf("after a stopped run: %+v, %v", res, err)
	}
}

func TestResponseBodies(t *testing.T) {
	for body, want := range map[string]string{
		`'plain'`:                                "plain",
		`{encoding: 'text', data: 'txt'}`:        "txt",
		`{encoding: 'base64', data: 'aGVsbG8='}`: "hello",
		`undefined`:                              "",
	} {
		r := load(t, "function handler(e) { return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/x' } }, body: "+body+" }; }", nil)
		res, err := r.Run(cfrun.NewEvent("GET", "/", nil))
		if err != nil || res.Response == nil || res.Response.Body != want || res.Response.Headers["location"].Value != "/x" {
			t.Errorf("body %s: got %+v, %v", body, res.Response, err)
		}
	}
}

func TestEventShape(t *testing.T) {
	req := httptest.NewRequest(http.MethodHead, "/a%20b%41%2b.jpg?width=640&x=1&x=2&flag", nil)
	req.RemoteAddr = "[2001:db8::1]:5555"
	req.Header.Add("Accept", "image/webp")
	req.Header.Add("X-Two", "1")
	req.Header.Add("X-Two", "2")
	ev := cfrun.FromHTTP(req)
	r := ev.Request
	if r.Method != http.MethodHead || r.URI != "/a%20b%41%2b.jpg" || r.Headers["accept"].Value != "image/webp" || ev.Viewer.IP != "2001:db8::1" {
		t.Errorf("event: %+v", ev)
	}
	if v := r.Headers["x-two"]; v.Value != "1" || len(v.MultiValue) != 2 || v.MultiValue[1].Value != "2" {
		t.Errorf("multi-value header: %+v", v)
	}
	if v := r.Querystring["x"]; v.Value != "1" || len(v.MultiValue) != 2 {
		t.Errorf("multi-value query: %+v", v)
	}
	if v, ok := r.Querystring["flag"]; !ok || v.Value != "" {
		t.Errorf("flag without value: %+v %v", v, ok)
	}
	// the function sees exactly this shape
	run := load(t, "function handler(e) { return { statusCode: 200, body: [e.version, e.context.eventType, e.request.method, e.request.uri, e.request.headers['x-two'].multiValue.length, e.request.querystring.width.value].join(' ') }; }", nil)
	res, err := run.Handle(req)
	if err != nil || res.Response.Body != "1.0 viewer-request HEAD /a%20b%41%2b.jpg 2 640" {
		t.Errorf("seen by the function: %+v, %v", res.Response, err)
	}
}

// TestConcurrentUse: one Runner serves many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	r := load(t, "async function handler(e) { var k = await cf.kvs().get('suffix'); e.request.uri = e.request.uri + k; return e.request; }\nimport cf from 'cloudfront';\n",
		map[string]string{"suffix": "/v"})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range 200 {
				uri := fmt.Sprintf("/g%d/%d", g, i)
				res, err := r.Run(cfrun.NewEvent("GET", uri, http.Header{}))
				if err != nil {
					errs <- fmt.Errorf("%s: %w", uri, err)
					return
				}
				if res.Request.URI != uri+"/v" {
					errs <- fmt.Errorf("%s: rewritten to %+v", uri, res.Request)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestRequestURL(t *testing.T) {
	r := cfrun.Request{URI: "/a", Querystring: map[string]cfrun.Value{"b": {Value: "2"}, "a": {Value: "1", MultiValue: []cfrun.Value{{Value: "1"}, {Value: "3"}}}}}
	if got := r.URL(); got != "/a?a=1&a=3&b=2" {
		t.Errorf("URL: %s", got)
	}
	if got := (cfrun.Request{URI: "/a"}).URL(); !strings.HasPrefix(got, "/a") || got != "/a" {
		t.Errorf("URL without query: %s", got)
	}
}
