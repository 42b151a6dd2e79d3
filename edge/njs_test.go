package edge_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// CloudFront Functions give an invocation 2 MB of memory and a compute
// budget; a function that keeps exceeding it is throttled for every viewer.
// These tests run the rendered function's worst cases in njs (nginx's
// JavaScript engine, the closest available to CloudFront's runtime) and hold
// each within these bounds, measured against a normal request in the same run.
const (
	budgetBytes  = 1 << 20 // memory one invocation may claim
	budgetFactor = 10      // times a normal request's memory
)

// findTool returns the path of an external program the test runs: $env, then
// PATH. Without it the test skips, or fails with IMGCELLS_REQUIRE_TOOLS=1;
// pkg is the Debian package that has it.
func findTool(t testing.TB, env, name, pkg string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		p, _ = exec.LookPath(name)
	}
	if p != "" {
		return p
	}
	why := fmt.Sprintf("%s not found on PATH or in %s (Debian package %s)", name, env, pkg)
	if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s; IMGCELLS_REQUIRE_TOOLS=1", why)
	}
	t.Skip(why)
	return ""
}

// budgetCase is one viewer request.
type budgetCase struct {
	name string
	ev   cfrun.Event
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
// bytes and 20,480 bytes of request line and headers.
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
	return []budgetCase{
		{"normal", event(sign("/products/shoe.jpg?width=640"), chrome)},
		{"box, fit and quality", event(sign("/products/summer%20sale/shoe.jpg?width=600&height=400&fit=cover&quality=70"), chrome)},
		{"8 KB of one-character segments", event(repeat("", "/a", 8190)+"?width=640"+junkSig, chrome)},
		{"one-character segments up to the URI cap", event(repeat("", "/a", 3075)+"?width=640"+junkSig, chrome)},
		{"8 KB of %XX", event(repeat("/", "%41", 8190)+junkSig[1:], chrome)},
		{"%XX up to the URI cap", event(repeat("/", "%41", 3075)+"?width=640"+junkSig, chrome)},
		{"the longest key, all %XX", event(sign(repeat("/", "%C3%A9", 2900)+"?width=640"), chrome)},
		{"encoded slashes, 256 segments", event(sign(repeat("/a", "%2Fa", 1020)+"?width=640"), chrome)},
		{"20 KB Accept on one line", event("/a.jpg?width=640"+junkSig, repeat("", "image/png;q=0.5,", 20000)+"image/webp")},
		{"20 KB Accept on 100 lines", event("/a.jpg?width=640"+junkSig, accept20k...)},
		{"8 KB of one repeated query parameter", event(repeat("/a.jpg?", "width=1&", 8180)+junkSig[1:], chrome)},
		{"8 KB of distinct query parameters", event(distinctParams(8180)+junkSig, chrome)},
		{"50 query parameters", event(repeat("/a.jpg?", "width=1&", 8*49)+junkSig[1:], chrome)},
		// the longest query allowed: 1024 characters of names and values,
		// the 67 of sig=<64 hex> included
		{"1 KB of non-ASCII in a query value", event("/a.jpg?x="+strings.Repeat("日", 956)+junkSig, chrome)},
		{"1 KB of non-ASCII and %", event("/a.jpg?x="+strings.Repeat("日%", 478)+junkSig, chrome)},
		{"1 KB of \\ and letters in a query value", event("/a.jpg?x="+strings.Repeat("\\a", 478)+junkSig, chrome)},
		{"1 KB of + in a width", event("/a.jpg?width="+strings.Repeat("+", 952)+junkSig, chrome)},
		{"1 KB of encoded & in signed values", event("/a.jpg?fit="+strings.Repeat("%26", 318)+junkSig, chrome)},
		{"8 KB of non-ASCII in a query value", event("/a.jpg?x="+strings.Repeat("日", 2700)+junkSig, chrome)},
		{"non-ASCII path up to 8 KB", event("/"+strings.Repeat("日", 2700)+"?width=640"+junkSig, chrome)},
	}
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

// njsDriver runs the function on EVENT (n copies parsed beforehand), and
// prints (in lines the harness joins) the memory the first invocation claimed (njs.memoryStats.size: njs
// frees nothing during a run, so the growth is what the call allocated), the
// milliseconds the other n-1 took, and the first result.
const njsDriver = `
var realNow = Date.now;
Date.now = function () { return NOW * 1000; };
async function main() {
  var evs = [];
  for (var i = 0; i < N; i++) evs.push(JSON.parse(EVENT));
  var m0 = njs.memoryStats.size;
  var first = await handler(evs[0]);
  var mem = njs.memoryStats.size - m0;
  var t0 = realNow();
  for (i = 1; i < N; i++) await handler(evs[i]);
  var out = JSON.stringify({ mem: mem, ms: realNow() - t0, result: first });
  // console.log cuts a line at 2048 bytes: print short lines
  for (i = 0; i < out.length; i += 500) console.log(out.substring(i, i + 500));
}
main();
`

// njsRun is one njs process running the rendered code on one case.
type njsRun struct {
	bin, dir string
	code     []byte
}

func newNJS(t testing.TB, cfg edge.Config, kvs map[string]string) *njsRun {
	t.Helper()
	bin := findTool(t, "IMGCELLS_NJS", "njs", "njs; scripts/deps.sh test installs it")
	code := render(t, cfg)
	store := mustJSON(t, kvs)
	dir := t.TempDir()
	// CloudFront's cloudfront module, backed by the same key-value map.
	// The error is made once: njs makes each new Error slowly (a backtrace),
	// which would be the stub's cost, not the function's.
	stub := "var store = " + store + ", missing = new Error('key not found');\n" + `export default { kvs: function () { return {
  get: async function (k) { if (Object.prototype.hasOwnProperty.call(store, k)) return store[k]; throw missing; },
  exists: async function (k) { return Object.prototype.hasOwnProperty.call(store, k); } }; } };
`
	// njs finds `import cf from 'cloudfront'` in a file named exactly so
	if err := os.WriteFile(filepath.Join(dir, "cloudfront"), []byte(stub), 0o600); err != nil {
		t.Fatal(err)
	}
	return &njsRun{bin: bin, dir: dir, code: code}
}

type njsResult struct {
	Mem    int64           `json:"mem"`
	MS     float64         `json:"ms"`
	Result json.RawMessage `json:"result"`
}

// run invokes the function n times on ev in one fresh njs process.
func (j *njsRun) run(t testing.TB, ev cfrun.Event, n int) njsResult {
	t.Helper()
	evJSON, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	lit, err := json.Marshal(string(evJSON))
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("%s\nvar NOW = %d, N = %d, EVENT = %s;\n%s", j.code, now, n, lit, njsDriver)
	file := filepath.Join(j.dir, "run.js")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(j.bin, "-t", "module", "-p", j.dir, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("njs: %v\n%s", err, stderr.String())
	}
	out = bytes.ReplaceAll(out, []byte("\n"), nil)
	var res njsResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("njs printed %.300q: %v\n%s", out, err, stderr.String())
	}
	return res
}

// outcome is what a result means to the viewer: the status the function
// answered, or the URI it rewrote to.
func outcome(raw []byte) string {
	var r struct {
		StatusCode int    `json:"statusCode"`
		URI        string `json:"uri"`
	}
	_ = json.Unmarshal(raw, &r)
	if r.StatusCode != 0 {
		return strconv.Itoa(r.StatusCode)
	}
	return r.URI
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

// TestEdgeBudgetInNJS: every worst case claims at most budgetBytes and at
// most budgetFactor times what a normal request does, with signing off and
// on, and njs answers it exactly as cfrun does.
func TestEdgeBudgetInNJS(t *testing.T) {
	for _, signing := range []bool{false, true} {
		t.Run(fmt.Sprintf("signing=%v", signing), func(t *testing.T) {
			cfg, secret, kvs := budgetConfig(signing)
			j := newNJS(t, cfg, kvs)
			r := runner(t, cfg, kvs, fixedClock())
			var base int64
			for i, c := range budgetCases(secret) {
				got := j.run(t, c.ev, 1)
				if i == 0 {
					base = got.Mem
				}
				t.Logf("%-42s %7.1f KiB  %5.2f× normal  → %.70s", c.name, float64(got.Mem)/1024, float64(got.Mem)/float64(base), outcome(got.Result))
				if got.Mem > budgetBytes || got.Mem > budgetFactor*base {
					t.Errorf("%s: claims %d bytes, over %d or %d× the normal request's %d", c.name, got.Mem, budgetBytes, budgetFactor, base)
				}
				want, err := r.Run(c.ev)
				if err != nil {
					t.Fatalf("%s: cfrun: %v", c.name, err)
				}
				var w string
				if want.Response != nil {
					w = strconv.Itoa(want.Response.StatusCode)
				} else {
					w = want.Request.URI
				}
				if o := outcome(got.Result); o != w {
					t.Errorf("%s: njs gives %.80s, cfrun %.80s", c.name, o, w)
				}
				if i == 0 && w == "403" {
					t.Fatalf("the baseline is refused: %s", outcome(got.Result))
				}
			}
		})
	}
}

// BenchmarkEdgeInNJS reports each worst case's time in njs per invocation
// (njs-ns/op) and as a ratio to the normal request measured in the same run
// (x-normal). njs's clock has millisecond steps: run with -benchtime=2000x
// or more. Go's own ns/op includes starting njs and parsing the events.
func BenchmarkEdgeInNJS(b *testing.B) {
	for _, signing := range []bool{false, true} {
		cfg, secret, kvs := budgetConfig(signing)
		j := newNJS(b, cfg, kvs)
		perOp := func(b *testing.B, ev cfrun.Event, n int) float64 {
			var ms float64
			for done := 0; done < n; done += 200 { // njs frees nothing: bound each process
				ms += j.run(b, ev, min(200, n-done)+1).MS
			}
			return ms * 1e6 / float64(n)
		}
		cases := budgetCases(secret)
		base := perOp(b, cases[0].ev, 2000)
		for _, c := range cases {
			b.Run(fmt.Sprintf("signing=%v/%s", signing, c.name), func(b *testing.B) {
				ns := perOp(b, c.ev, b.N)
				b.ReportMetric(ns, "njs-ns/op")
				b.ReportMetric(ns/base, "x-normal")
			})
		}
	}
}

// TestSigningVectorsInNJS: njs answers the shared signing vectors as they
// say, forgeries included.
func TestSigningVectorsInNJS(t *testing.T) {
	v := signingVectors(t)
	if v.Now != now {
		t.Fatalf("signing vectors' clock %d, this test's %d", v.Now, now)
	}
	cfg := edge.DefaultConfig()
	cfg.Signing = true
	j := newNJS(t, cfg, map[string]string{edge.KeyCurrent: v.Secret})
	for _, c := range v.Requests {
		want := c.URI
		if c.Status != 200 {
			want = strconv.Itoa(c.Status)
		}
		if got := outcome(j.run(t, cfrun.NewEvent("GET", c.Target, http.Header{}), 1).Result); got != want {
			t.Errorf("%s (%s): njs gives %s, want %s", c.Name, c.Target, got, want)
		}
	}
}
