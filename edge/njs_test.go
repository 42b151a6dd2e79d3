package edge_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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

// TestEdgeBudgetInNJS: every worst case claims at most budgetBytes and at
// most budgetFactor times what a normal request does, with signing off and
// on, and njs answers it as the case says and exactly as cfrun does.
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
				if want := map[bool]string{false: c.off, true: c.on}[signing]; w != want && (want != "/" || !strings.HasPrefix(w, "/")) {
					t.Errorf("%s: answered %.80s, want %s", c.name, w, want)
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
