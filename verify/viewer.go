package verify

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Where to look, by what failed.
const (
	hintEdge      = "the edge function (make edge-render, edge/rewrite.js) and the response headers policy (Vary: Accept)"
	hintConverter = "the converter's log group in the region nearest to here (pulumi stack output logGroups) and its API's access log"
	hintCache     = "the cache policy (the rewritten URI alone is the key) and the Cache-Control the converter stores"
)

// viewerChecks ask for the probe as Chrome, again (a hit), as Safari and as
// curl: each gets the right format with Vary: Accept (AVIF for the browsers
// when the stack enables it, else WebP; JPEG for curl).
func (r *run) viewerChecks(ctx context.Context) {
	ctype, format := r.t.Outputs.BrowserFormat()
	r.check("first-request", func() (string, error) {
		p, err := r.expectImage(ctx, r.probe, AcceptChrome, ctype, format)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(p.xcache(), "Miss") {
			return "", failf(hintCache, "a new probe's first request was %q, want a miss: is something caching %s?", p.xcache(), ProbePrefix)
		}
		if !p.converted() {
			return "", failf(hintConverter, "the first request of a new probe has no converter Server-Timing (%q): who made it?", p.header.Get("Server-Timing"))
		}
		return fmt.Sprintf("%s, converted (%s)", p.describe(), p.header.Get("Server-Timing")), nil
	})
	r.check("second-request", func() (string, error) {
		p, err := r.expectImage(ctx, r.probe, AcceptChrome, ctype, format)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(p.xcache(), "Hit") {
			return "", failf(hintCache, "the second request was %q, want a hit from the edge cache", p.xcache())
		}
		return p.describe(), nil
	})
	r.check("safari", func() (string, error) {
		p, err := r.expectImage(ctx, r.probe, AcceptSafari, ctype, format)
		if err != nil {
			return "", err
		}
		return p.describe(), nil
	})
	r.check("curl", func() (string, error) {
		p, err := r.expectImage(ctx, r.probe, AcceptCurl, "image/jpeg", "jpeg")
		if err != nil {
			return "", err
		}
		return p.describe(), nil
	})
}

// expectImage asks for key as a client sending accept would and checks the
// answer: 200, the Content-Type, Vary: Accept, a body that decodes as format
// no wider than the probe.
func (r *run) expectImage(ctx context.Context, key, accept, ctype, format string) (reply, error) {
	p, err := r.view(ctx, key, accept)
	if err != nil {
		return p, err
	}
	if p.status != http.StatusOK {
		hint := hintConverter
		if p.status == http.StatusForbidden {
			hint = "the URL signature (imgcells:signing, -sign-key) or the distribution's origin access"
		}
		return p, failf(hint, "want 200, got %s", p.describe())
	}
	if got := p.header.Get("Content-Type"); got != ctype {
		return p, failf(hintEdge, "Accept %q got %s, want %s", accept, got, ctype)
	}
	if !p.varyAccept() {
		return p, failf(hintEdge, "no Vary: Accept (Vary %q): shared caches would serve one format to every browser", p.header.Values("Vary"))
	}
	got, w, _, err := p.imageSize()
	if err != nil || got != format || w > probeWidth {
		return p, failf(hintConverter, "the body is not a %s at most %d wide: %s %d wide (%v)", format, probeWidth, got, w, err)
	}
	return p, nil
}

// refusalChecks: a missing key is a 404, a ".." path a 400, a hostile image a
// 4xx, and with signing on an unsigned URL a 403.
func (r *run) refusalChecks(ctx context.Context) {
	refused := func(name, hint string, want func(int) bool, wantText, rawURL string) {
		r.check(name, func() (string, error) {
			p, err := r.get(ctx, r.t.HTTP, rawURL, AcceptChrome, "")
			if err != nil {
				return "", failf("network from here to "+r.t.Outputs.CDNHost, "GET %s: %v", rawURL, err)
			}
			if !want(p.status) {
				return "", failf(hint, "want %s, got %s", wantText, p.describe())
			}
			return p.describe(), nil
		})
	}
	is := func(s int) func(int) bool { return func(got int) bool { return got == s } }
	refused("missing-original", hintConverter, is(http.StatusNotFound), "404",
		r.viewerURL(r.prefix+"missing.png", true))
	// The edge function decodes each segment once and refuses "." and ".."
	// with a 400. A layer in front that resolves the (encoded) dot segment
	// itself, as RFC 3986 normalisation may, makes this the probe's own path:
	// safe too, so its answer (200, or 403 unsigned when the stack signs)
	// passes; anything else means the segment reached something that took it.
	dotDot := r.t.Outputs.BaseURL() + "/" + r.prefix + "x/%2E%2E/probe.png?width=" + strconv.Itoa(probeAskWidth)
	resolved := http.StatusOK
	if r.t.Outputs.Signing {
		resolved = http.StatusForbidden
	}
	refused("dot-dot-path", hintEdge, func(s int) bool { return s == http.StatusBadRequest || s == resolved },
		fmt.Sprintf("400 (or %d if resolved to the probe before the edge)", resolved), dotDot)
	refused("hostile-image", hintConverter+" (the pixel check before decoding)", func(s int) bool { return s >= 400 && s < 500 },
		"a 4xx from the header alone", r.viewerURL(r.hostile, true))
	if !r.t.Outputs.Signing {
		r.check("unsigned-url", func() (string, error) { return "", skipped("imgcells:signing is off") })
		return
	}
	refused("unsigned-url", hintEdge+" (signing)", is(http.StatusForbidden), "403", r.viewerURL(r.probe, false))
}
