package edge_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// TestSameResultInNode runs the rendered code in a second engine (Node.js,
// whose crypto module has the same createHmac API as CloudFront's) and
// checks that it rewrites every request exactly as cfrun does, so goja's
// behaviour is not what the tests depend on: browsers, odd keys, signed URLs
// and the shared signing vectors (forgeries included). Node finds the
// function's 'cloudfront' import in a stub package backed by the same
// key-value map.
func TestSameResultInNode(t *testing.T) {
	node := findTool(t, "IMGCELLS_NODE", "node", "nodejs")
	cfg := edge.DefaultConfig()
	cfg.Signing = true
	kvs := map[string]string{edge.KeyCurrent: "k1", edge.KeyPrevious: "k0"}
	n := sameInNode(t, node, cfg, kvs, nodeEvents(kvs))
	// the shared signing vectors, under their own key
	v := signingVectors(t)
	if v.Now != now {
		t.Fatalf("signing vectors' clock %d, this test's %d", v.Now, now)
	}
	var evs []cfrun.Event
	for _, c := range v.Requests {
		evs = append(evs, cfrun.NewEvent("GET", c.Target, http.Header{}))
	}
	n += sameInNode(t, node, cfg, map[string]string{edge.KeyCurrent: v.Secret}, evs)
	t.Logf("%d requests agree between cfrun and node", n)
}

// sameInNode runs events through the rendered code in node and in cfrun, with
// the same key-value store and clock, and reports any difference.
func sameInNode(t *testing.T, node string, cfg edge.Config, kvs map[string]string, events []cfrun.Event) int {
	t.Helper()
	code := render(t, cfg)
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("fn.mjs", string(code)+"\nexport { handler };\n")
	write("node_modules/cloudfront/package.json", `{"name": "cloudfront", "type": "module", "main": "index.js"}`)
	write("node_modules/cloudfront/index.js", `const store = JSON.parse(process.env.KVS);
export default { kvs() { return {
  async get(k) { if (Object.prototype.hasOwnProperty.call(store, k)) return store[k]; throw new Error('key not found'); },
  async exists(k) { return Object.prototype.hasOwnProperty.call(store, k); } }; } };
`)
	write("driver.mjs", `import { handler } from './fn.mjs';
Date.now = () => Number(process.env.NOW) * 1000;
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const ev of JSON.parse(input)) out.push(await handler(ev));
process.stdout.write(JSON.stringify(out));
`)

	cmd := exec.Command(node, "driver.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KVS="+mustJSON(t, kvs), "NOW="+strconv.Itoa(now))
	cmd.Stdin = strings.NewReader(mustJSON(t, events))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var fromNode []struct {
		StatusCode int                    `json:"statusCode"`
		URI        string                 `json:"uri"`
		Method     string                 `json:"method"`
		Query      map[string]cfrun.Value `json:"querystring"`
		Headers    map[string]cfrun.Value `json:"headers"`
	}
	if err := json.Unmarshal(out, &fromNode); err != nil || len(fromNode) != len(events) {
		t.Fatalf("node output (%v): %.200s", err, out)
	}
	r := runner(t, cfg, kvs, fixedClock())
	for i, ev := range events {
		res, err := r.Run(ev)
		if err != nil {
			t.Fatalf("%s: %v", ev.Request.URI, err)
		}
		n := fromNode[i]
		switch {
		case res.Response != nil && n.StatusCode != res.Response.StatusCode:
			t.Errorf("%s: cfrun answers %d, node %+v", ev.Request.URI, res.Response.StatusCode, n)
		case res.Request != nil && (n.URI != res.Request.URI || n.Method != res.Request.Method || len(n.Query) != 0):
			t.Errorf("%s: cfrun rewrites to %s, node to %+v", ev.Request.URI, res.Request.URI, n)
		case res.Request != nil && (n.Headers[contract.VariantHeader].Value != res.Request.Headers[contract.VariantHeader].Value ||
			len(n.Headers[contract.VariantHeader].MultiValue) > 0):
			t.Errorf("%s: cfrun sets %s %+v, node %+v", ev.Request.URI, contract.VariantHeader,
				res.Request.Headers[contract.VariantHeader], n.Headers[contract.VariantHeader])
		}
	}
	return len(events)
}

// nodeEvents: the viewer vectors, browsers, odd keys and signed URLs.
func nodeEvents(kvs map[string]string) []cfrun.Event {
	var evs []cfrun.Event
	add := func(method, target, accept string) {
		h := http.Header{}
		if accept != "" {
			h.Set("Accept", accept)
		}
		evs = append(evs, cfrun.NewEvent(method, target, h))
	}
	exp := time.Unix(now+60, 0)
	for _, key := range []string{"products/shoe.jpg", "summer sale/red shoe+laces 100%.jpg", "produits/chaussure-été/日本.jpg", "it's(1)!*.jpg"} {
		for _, b := range browsers {
			for _, q := range []url.Values{nil, {"width": {"641"}, "quality": {"55"}}, {"format": {"png"}, "height": {"5000"}}, {"fit": {"cover"}, "width": {"300"}, "height": {"200"}, "format": {"jpg"}}} {
				add("GET", edge.SignURL(kvs[edge.KeyCurrent], key, q, exp), b.accept)
			}
		}
		add("HEAD", edge.SignURL(kvs[edge.KeyPrevious], key, nil, time.Time{}), "")
		add("GET", edge.SignURL("wrong", key, nil, exp), "")
		add("GET", edge.SignURL(kvs[edge.KeyCurrent], key, nil, time.Unix(now-1, 0)), "")
		add("GET", contract.EncodePath(key), "")
	}
	// odd queries and paths as a viewer may send them: raw non-ASCII, spaces, repeats
	for _, target := range []string{"/日本 shoe😀.jpg?width=600&height=400", "/a.jpg?x=1&x=2&note=a b&v", "/a.jpg?", `/\e.example/a.jpg?b=\`} {
		add("GET", target, "")
	}
	for _, target := range []string{"/", "/a//b.jpg", "/a/../b.jpg", "/a%zz.jpg", "/a%C0%AF.jpg", "/a%00.jpg"} {
		add("GET", target+"?sig=00", "")
	}
	return evs
}
