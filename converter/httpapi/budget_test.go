package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/httpapi"
	"imgcells/converter/internal/hostile"
)

// A conversion cut short by the invocation's deadline is answered with a
// 413 that CloudFront may cache briefly, not a 5xx, and nothing is stored:
// the handler stops converting early enough to answer before Lambda's
// timeout.
func TestDeadlineIsA413NotA5xx(t *testing.T) {
	slow, err := hostile.ArithJPEG{Width: 2048, Height: 2048, ExtraScans: 396}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, nil)
	hs.mem.PutReplica("slow.jpg", slow)
	// The invocation has 2.05 s left: storeMargin (2 s) is kept for storing
	// and answering, which leaves the conversion 50 ms.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second+50*time.Millisecond)
	defer cancel()
	resp, err := hs.h.Handle(ctx, withPath(fixture(t, "get.json"), "/slow.jpg/format=webp,quality=75,width=64"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(resp.Body, "too long") {
		t.Fatalf("status %d %q, want 413 'took too long'", resp.StatusCode, resp.Body)
	}
	if cc := resp.Headers["cache-control"]; !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("cache-control %q: a refusal is cacheable", cc)
	}
	if ctx.Err() != nil {
		t.Error("the handler answered after the invocation's deadline")
	}
	if _, ok := hs.mem.Variant("slow.jpg/format=webp,quality=75,width=64"); ok {
		t.Error("a variant was stored for a conversion that was stopped")
	}
}

// A file predicted not to fit the budget is refused from its headers: 500
// scans of a 40 MP image on the dev stack's converter (1024 MB).
func TestBudgetRefusalIs413(t *testing.T) {
	scans := hostile.JPEG{Width: 6324, Height: 6324, Process: hostile.Progressive, ExtraScans: 496}.Bytes()
	hs := newHarness(t, func(c *httpapi.Config) {
		c.Limits = converter.Limits{MaxSourceBytes: contract.DefaultMaxSourceBytes, MaxSourcePixels: 40_000_000,
			Budget: contract.Budget{MemoryMB: 1024, Timeout: contract.ConverterTimeout}}
	})
	hs.mem.PutReplica("scans.jpg", scans)
	resp := hs.do(t, withPath(fixture(t, "get.json"), "/scans.jpg/format=webp,quality=75,width=640"))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(resp.Body, "to decode") {
		t.Fatalf("status %d %q, want 413 naming the decode time", resp.StatusCode, resp.Body)
	}
}
