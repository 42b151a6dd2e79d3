package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	_ "image/png"
	"net/http"
	"testing"

	"imgcells/converter/httpapi"
	"imgcells/converter/store"
)

// decodedSize is the size of the image in a 200 response.
func decodedSize(t *testing.T, body string) image.Point {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("body does not decode: %v", err)
	}
	return image.Pt(cfg.Width, cfg.Height)
}

// A variant records the original version it was made from, and an overwrite
// the replica has not received yet is converted from the primary's bytes.
func TestVariantIsMadeFromTheCurrentVersion(t *testing.T) {
	hs := newHarness(t, nil)
	old, current := photo(t, "photo.png"), photo(t, "portrait.jpg")
	hs.mem.PutReplica("p.img", old)
	hs.mem.PutPrimary("p.img", current)
	resp := hs.do(t, withPath(fixture(t, "get.json"), "/p.img/format=png,width=100"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	// photo.png is landscape, portrait.jpg portrait: the size tells which was converted.
	if got := decodedSize(t, resp.Body); got.Y <= got.X {
		t.Errorf("converted a %v image: the replica's old landscape photo, not the current portrait", got)
	}
	v, ok := hs.mem.Variant("p.img/format=png,width=100")
	if !ok || v.SourceETag != store.ETag(current) {
		t.Errorf("stored %v with source ETag %q, want %q (the current version's)", ok, v.SourceETag, store.ETag(current))
	}
	if got := hs.lastLog(t)["source"]; got != "primary" {
		t.Errorf("log source %v, want primary", got)
	}
}

// A delete the replica has not received yet is a 404 at once.
func TestDeletedOriginalIsNotFoundEvenInALaggingReplica(t *testing.T) {
	hs := newHarness(t, nil)
	hs.mem.DeletePrimary("products/photo.jpg") // the harness's replica still has it
	resp := hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404 for an original deleted at the primary", resp.StatusCode)
	}
	if n := hs.mem.VariantCount(); n != 0 {
		t.Errorf("%d variants stored of a deleted original", n)
	}
}

// While the primary cannot be asked, the replica's copy is converted and
// served for a minute, never stored for a year.
func TestUnverifiedConversionIsServedBrieflyAndNotStored(t *testing.T) {
	hs := newHarness(t, nil)
	hs.mem.PrimaryErr = errors.New("primary region unreachable")
	resp := hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if got := resp.Headers["cache-control"]; got != "public, max-age=60" {
		t.Errorf("cache-control %q, want a short public lifetime", got)
	}
	if n := hs.mem.VariantCount(); n != 0 {
		t.Errorf("an unverified conversion was stored (%d variants)", n)
	}
	if got := hs.lastLog(t)["source"]; got != "replica-unverified" {
		t.Errorf("log source %v, want replica-unverified", got)
	}

	// Too large to answer inline, and nothing stored to redirect to: a 503.
	hs = newHarness(t, func(c *httpapi.Config) { c.MaxInlineBytes = 10 })
	hs.mem.PrimaryErr = errors.New("primary region unreachable")
	resp = hs.do(t, fixture(t, "get.json"))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["cache-control"] != "no-store" {
		t.Errorf("oversized unverified output: status %d cache-control %q, want 503 no-store", resp.StatusCode, resp.Headers["cache-control"])
	}
}
