package tests

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"imgcells/local/stack"
	"imgcells/verify"
)

// The post-deploy check (package verify, cmd/verify) runs against the local
// stack through the endpoints a deployment has: its outputs, its CDN, its
// buckets, its converter APIs, its invalidation. Every check with a local
// equivalent passes, and the probes are gone afterwards.

// verifyStack starts a local stack whose replication catches up quickly and
// returns it with a target for it, built from its /_local/outputs.
func verifyStack(t *testing.T, adjust func(*stack.Config)) (*e2eStack, verify.Target) {
	t.Helper()
	s := startStack(t, func(c *stack.Config) {
		c.ReplicationLag, c.ReplicationTick = 200*time.Millisecond, 50*time.Millisecond
		if adjust != nil {
			adjust(c)
		}
	})
	resp, err := http.Get(s.URL + "/_local/outputs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/_local/outputs: %d %s %v", resp.StatusCode, body, err)
	}
	o, err := verify.ParseOutputs(body)
	if err != nil {
		t.Fatal(err)
	}
	target, err := verify.NewLocalTarget(o)
	if err != nil {
		t.Fatal(err)
	}
	return s, target
}

// logWriter prints the report's lines in the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func runVerify(t *testing.T, target verify.Target) verify.Report {
	t.Helper()
	report, err := verify.Run(context.Background(), target, verify.Options{
		Misses: 4, Poll: 50 * time.Millisecond, ReplicationTimeout: 30 * time.Second, InvalidationTimeout: 10 * time.Second,
	}, logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	return report
}

func wantStatus(t *testing.T, report verify.Report, status verify.Status, names ...string) {
	t.Helper()
	for _, name := range names {
		res, ok := report.Find(name)
		if !ok {
			t.Errorf("no %s check", name)
			continue
		}
		if res.Status != status {
			t.Errorf("%s: %s (%s), want %s", name, res.Status, res.Detail, status)
		}
	}
}

// noProbesLeft checks that no bucket holds anything under the run's prefix.
func noProbesLeft(t *testing.T, s *e2eStack, report verify.Report) {
	t.Helper()
	if !strings.HasPrefix(report.Prefix, verify.ProbePrefix) {
		t.Fatalf("probe prefix %q is not under %s", report.Prefix, verify.ProbePrefix)
	}
	for _, b := range s.Buckets().All() {
		keys, err := s.Keys(context.Background(), b, report.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) > 0 {
			t.Errorf("%s still holds %v after the run", b, keys)
		}
	}
}

var everyLocalCheck = []string{"upload", "first-request", "second-request", "safari", "curl", "missing-original",
	"dot-dot-path", "hostile-image", "replicated-original", "replicated-variant", "served-by-mrap", "latency", "cleanup"}

func TestVerifyPassesAgainstTheLocalStack(t *testing.T) {
	s, target := verifyStack(t, nil)
	report := runVerify(t, target)
	if n := report.Count(verify.Fail); n != 0 {
		t.Errorf("%d checks failed", n)
	}
	wantStatus(t, report, verify.Pass, everyLocalCheck...)
	for _, r := range s.Regions() {
		wantStatus(t, report, verify.Pass, "secret/"+r)
		wantStatus(t, report, verify.Skip, "execute-api/"+r) // no domain
	}
	wantStatus(t, report, verify.Skip, "unsigned-url")
	noProbesLeft(t, s, report)
	// The probes went through the CDN path: the converters made them.
	if s.Conversions(s.PrimaryRegion()) < 1+4 {
		t.Errorf("%d conversions in %s, want at least the probe's and the latency probes'", s.Conversions(s.PrimaryRegion()), s.PrimaryRegion())
	}
}

func TestVerifySignsURLsWhenTheStackDoes(t *testing.T) {
	s, target := verifyStack(t, func(c *stack.Config) { c.Edge.Signing = true })
	if !target.Outputs.Signing || target.SignKey == "" {
		t.Fatalf("outputs signing %v, key %q", target.Outputs.Signing, target.SignKey)
	}
	report := runVerify(t, target)
	wantStatus(t, report, verify.Pass, append(everyLocalCheck, "unsigned-url")...)
	noProbesLeft(t, s, report)

	target.SignKey = ""
	if _, err := verify.Run(context.Background(), target, verify.Options{}, io.Discard); err == nil || !strings.Contains(err.Error(), "-sign-key") {
		t.Errorf("a signing stack without a key: %v, want an error naming -sign-key", err)
	}
}

// faultyTransport is an HTTP transport that changes every CDN response, standing in for
// a stack with a fault.
type faultyTransport struct {
	next http.RoundTripper
	fn   func(*http.Response)
}

func (rw faultyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rw.next.RoundTrip(req)
	if err == nil {
		rw.fn(resp)
	}
	return resp, err
}

// failingStore fails to remove the probes.
type failingStore struct{ verify.Store }

func (failingStore) Purge(context.Context, string, string) (int, error) {
	return 0, errors.New("AccessDenied")
}

// Faults a deployment can have are reported as failures that say where to
// look: no Vary: Accept, a converter answering for a variant the MRAP holds,
// probes that cannot be removed.
func TestVerifyReportsFaults(t *testing.T) {
	s, target := verifyStack(t, nil)
	faulty := target
	faulty.HTTP = &http.Client{
		CheckRedirect: target.HTTP.CheckRedirect,
		Transport: faultyTransport{next: http.DefaultTransport, fn: func(resp *http.Response) {
			// No Vary for the JPEG curl gets.
			if resp.Request.Header.Get("Accept") == verify.AcceptCurl {
				resp.Header.Del("Vary")
			}
			// Every image claims the converter made it, as when the MRAP
			// refuses CloudFront and every miss fails over.
			if resp.StatusCode == http.StatusOK {
				resp.Header.Set("Server-Timing", "fetch;dur=1.0, convert;dur=2.0, store;dur=3.0")
			}
		}},
	}
	faulty.Store = failingStore{target.Store}
	report := runVerify(t, faulty)
	wantStatus(t, report, verify.Pass, "first-request", "second-request", "safari", "replicated-variant", "latency")
	for name, says := range map[string]string{
		"curl":           "Vary: Accept",
		"served-by-mrap": "the MRAP refuses it",
		"cleanup":        "remove s3://",
	} {
		res, _ := report.Find(name)
		if res.Status != verify.Fail || !strings.Contains(res.Detail+res.Hint, says) || res.Hint == "" {
			t.Errorf("%s: %s %q (look at: %q), want a failure saying %q and where to look", name, res.Status, res.Detail, res.Hint, says)
		}
	}
	// The probes the failing store left are removed by hand here.
	for _, b := range s.Buckets().All() {
		if _, err := target.Store.Purge(context.Background(), b, report.Prefix); err != nil {
			t.Fatal(err)
		}
	}
}
