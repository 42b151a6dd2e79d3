package httpapi_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"imgcells/converter/httpapi"
)

// doAfter calls Handle as a host that answers first does: with an After in
// a context the host cancels once Handle returns (as Lambda's runtime and
// net/http do), and its deadline.
func (hs harness) doAfter(t *testing.T, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, *httpapi.After) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	ctx, after := httpapi.WithAfter(ctx)
	resp, err := hs.h.Handle(ctx, e)
	cancel()
	if err != nil {
		t.Fatalf("Handle returned a Go error: %v", err)
	}
	return resp, after
}

// The answer does not wait for the store: the variant is written, and the
// request's line logged, when the host runs what Handle left, even though
// the request's own context has ended by then.
func TestStoresAfterTheAnswer(t *testing.T) {
	hs := newHarness(t, nil)
	const vkey = "products/photo.jpg/format=webp,quality=75,width=240"
	resp, after := hs.doAfter(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if _, ok := hs.mem.Variant(vkey); ok {
		t.Fatal("stored before the answer")
	}
	if hs.logs.Len() != 0 {
		t.Fatalf("logged before the store: %s", hs.logs)
	}
	if st := resp.Headers["server-timing"]; !strings.Contains(st, `store;desc="after response"`) || strings.Contains(st, "store;dur=") {
		t.Errorf("server-timing %q: want the store described as after the response, not timed", st)
	}
	if !after.Pending() {
		t.Fatal("nothing left for after the answer")
	}
	after.Run()
	stored, ok := hs.mem.Variant(vkey)
	if !ok {
		t.Fatal("not stored after the answer (was the request's ended context used?)")
	}
	if body, _ := base64.StdEncoding.DecodeString(resp.Body); string(body) != string(stored.Data) {
		t.Error("stored bytes differ from the answer's")
	}
	log := hs.lastLog(t)
	if log["after_response"] != true || log["stored"] != true || log["status"] != float64(200) || log["level"] != "INFO" {
		t.Errorf("log %v: want after_response, stored, status 200 at INFO", log)
	}
	if a, ok := log["answer_ms"].(float64); !ok || a > log["total_ms"].(float64) {
		t.Errorf("answer_ms %v, total_ms %v: want the answer's time, within the total", log["answer_ms"], log["total_ms"])
	}
	after.Run() // a second call does nothing
	if n := strings.Count(strings.TrimSpace(hs.logs.String()), "\n") + 1; n != 1 {
		t.Errorf("%d log lines, want 1", n)
	}
}

// A store that fails after the answer is the log line's error; the viewer
// already has the image.
func TestStoreFailureAfterTheAnswerIsLogged(t *testing.T) {
	hs := newHarness(t, nil)
	hs.mem.PutErr = errors.New("bucket unavailable")
	resp, after := hs.doAfter(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusOK || !resp.IsBase64Encoded {
		t.Fatalf("status %d: want the image", resp.StatusCode)
	}
	after.Run()
	if log := hs.lastLog(t); log["level"] != "ERROR" || !strings.Contains(log["error"].(string), "bucket unavailable") || log["stored"] != false {
		t.Errorf("log %v: want an ERROR line naming the store failure", log)
	}
}

// What must be stored before the answer still is: an oversized output's
// redirect points at the stored object. Answers without a store (errors,
// unverified conversions) leave nothing and log at once.
func TestWhatIsNotLeftForAfter(t *testing.T) {
	hs := newHarness(t, func(c *httpapi.Config) { c.MaxInlineBytes = 1000 })
	const vkey = "products/photo.jpg/format=png"
	resp, after := hs.doAfter(t, withPath(fixture(t, "get.json"), "/"+vkey))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want the redirect", resp.StatusCode)
	}
	if _, ok := hs.mem.Variant(vkey); !ok || after.Pending() {
		t.Errorf("stored %v, work left %v: want stored before the redirect, nothing left", ok, after.Pending())
	}

	hs = newHarness(t, nil)
	resp, after = hs.doAfter(t, withPath(fixture(t, "get.json"), "/products/missing.jpg/format=webp,quality=75,width=240"))
	if resp.StatusCode != http.StatusNotFound || after.Pending() || hs.logs.Len() == 0 {
		t.Errorf("missing original: status %d, work left %v, logged %v: want a 404 logged at once, nothing left", resp.StatusCode, after.Pending(), hs.logs.Len() > 0)
	}
}
