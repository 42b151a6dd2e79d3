package edge_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// render returns the deployed bytes for cfg.
func render(t testing.TB, cfg edge.Config) []byte {
	t.Helper()
	code, err := edge.Render(cfg)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return code
}

// mustJSON is v as JSON text.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runner renders cfg and loads the bytes into cfrun, as the local stack does.
func runner(t testing.TB, cfg edge.Config, kvs map[string]string, opts ...cfrun.Option) *cfrun.Runner {
	t.Helper()
	r, err := cfrun.New(render(t, cfg), kvs, opts...)
	if err != nil {
		t.Fatalf("cfrun.New: %v", err)
	}
	return r
}

// run sends one viewer request and returns the result.
func run(t testing.TB, r *cfrun.Runner, method, target, accept string) cfrun.Result {
	t.Helper()
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	res, err := r.Run(cfrun.NewEvent(method, target, h))
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return res
}

// rewritten asserts the function let the request through and returns its URL.
func rewritten(t testing.TB, res cfrun.Result) string {
	t.Helper()
	if res.Response != nil {
		t.Fatalf("function answered %d %q, want a rewritten request", res.Response.StatusCode, res.Response.Body)
	}
	return res.Request.URL()
}

// fixedClock sets the function's clock to now.
func fixedClock() cfrun.Option {
	return cfrun.WithClock(func() time.Time { return time.Unix(now, 0) })
}
