package verify

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // the variants curl gets
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // the variants browsers get

	"imgcells/edge"
)

// Accept headers real clients send for an image (<img>), as the edge
// function sees them.
const (
	AcceptChrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	AcceptSafari = "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
	AcceptCurl   = "*/*"
)

// converterTimings are the Server-Timing metrics every converter sends
// (with "store", timed or, stored after the answer, described); S3 (and so
// the MRAP) sends none, which is how a variant served from the MRAP is told
// from one the converter made.
var converterTimings = []string{"fetch;dur=", "convert;dur=", "store;"}

// reply is one response as a viewer sees it.
type reply struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

func (p reply) xcache() string { return p.header.Get("X-Cache") }

// converted reports whether the converter made this response (and not S3).
func (p reply) converted() bool {
	st := p.header.Get("Server-Timing")
	for _, m := range converterTimings {
		if !strings.Contains(st, m) {
			return false
		}
	}
	return true
}

func (p reply) varyAccept() bool {
	for _, v := range p.header.Values("Vary") {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "Accept") {
				return true
			}
		}
	}
	return false
}

// reason is the start of a refusal's text body, for a report line.
func (p reply) reason() string {
	s := strings.TrimSpace(string(p.body))
	if len(s) > 80 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
		return ""
	}
	return s
}

// describe is a response in one phrase: status, type, size, X-Cache.
func (p reply) describe() string {
	s := fmt.Sprintf("%d %s %s", p.status, p.header.Get("Content-Type"), size(len(p.body)))
	if xc := p.xcache(); xc != "" {
		s += ", " + xc
	}
	if r := p.reason(); r != "" && p.status >= 400 {
		s += fmt.Sprintf(" (%q)", r)
	}
	return s
}

// size is a byte count for a report line.
func size(n int) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1000)
}

// imageSize decodes the body's header: its format and size.
func (p reply) imageSize() (string, int, int, error) {
	cfg, format, err := DecodeConfig(p.body)
	return format, cfg.Width, cfg.Height, err
}

// DecodeConfig is image.DecodeConfig for what the CDN serves: JPEG, PNG,
// WebP, and AVIF, whose size is read from its header (its pixels are left
// to browsers).
func DecodeConfig(b []byte) (image.Config, string, error) {
	if w, h, ok, err := avifSize(b); ok {
		return image.Config{Width: w, Height: h}, "avif", err
	}
	return image.DecodeConfig(bytes.NewReader(b))
}

// viewerURL is the CDN URL of an original's key at the probe width, signed
// when the stack signs URLs and sign is true.
func (r *run) viewerURL(key string, sign bool) string {
	params := url.Values{"width": {strconv.Itoa(probeAskWidth)}}
	if sign && r.t.Outputs.Signing {
		return r.t.Outputs.BaseURL() + edge.SignURL(r.t.SignKey, key, params, time.Now().Add(time.Hour))
	}
	return r.t.Outputs.BaseURL() + edgeEncode(key) + "?" + params.Encode()
}

// edgeEncode is a key's path as a browser writes it (the edge canonicalises it).
func edgeEncode(key string) string { return (&url.URL{Path: "/" + key}).EscapedPath() }

// get sends a GET with accept (and host, when not empty) and reads the answer.
func (r *run) get(ctx context.Context, client *http.Client, rawURL, accept, host string) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return reply{}, fmt.Errorf("building a request for %s: %w", rawURL, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("User-Agent", "imgcells-verify")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return reply{}, fmt.Errorf("reading %s: %w", rawURL, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: body, took: time.Since(start)}, nil
}

// view asks the CDN for an original's key at the probe width as a client
// with accept would.
func (r *run) view(ctx context.Context, key, accept string) (reply, error) {
	u := r.viewerURL(key, true)
	p, err := r.get(ctx, r.t.HTTP, u, accept, "")
	if err != nil {
		return reply{}, failf("DNS and network from here to "+r.t.Outputs.CDNHost+"; the distribution's state", "GET %s: %v", u, err)
	}
	return p, nil
}
