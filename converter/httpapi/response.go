package httpapi

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"imgcells/contract"
	"imgcells/converter/store"
)

// Cache-Control for answers that are not a stored variant.
const (
	// errorCacheControl lets the CDN absorb a burst of one bad request but
	// never pins a mistake (a missing original may be uploaded any moment).
	errorCacheControl = "public, max-age=30"
	noStore           = "no-store"
	// unverifiedCacheControl is for a conversion of a replica's copy that
	// the primary could not confirm as current: served, but not kept.
	unverifiedCacheControl = "public, max-age=60"
)

// header returns the request header name, matching case-insensitively
// (API Gateway lower-cases names; other callers may not).
func header(h map[string]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// verified reports whether the request carries the origin-verify secret,
// compared in constant time.
func (h *Handler) verified(headers map[string]string) bool {
	got, ok := header(headers, contract.OriginVerifyHeader)
	return ok && subtle.ConstantTimeCompare([]byte(got), h.secret) == 1
}

// requestPath is the decoded request path. The edge's contract.VariantHeader wins
// when present: it is percent-decoded exactly once (a bad escape is a 400).
// Otherwise rawPath is used: HTTP APIs deliver it percent-decoded (so
// "/a%20b.jpg/..." arrives as "/a b.jpg/...") and cut at a decoded "?"; it
// is parsed as is and never decoded again, or a key containing "%41" would
// name another object.
func requestPath(req events.APIGatewayV2HTTPRequest) (string, error) {
	if v, ok := header(req.Headers, contract.VariantHeader); ok && v != "" {
		path, err := url.PathUnescape(v)
		if err != nil {
			return v, contract.BadVariant("bad escape in %s", contract.VariantHeader)
		}
		return path, nil
	}
	if req.RawPath != "" {
		return req.RawPath, nil
	}
	return req.RequestContext.HTTP.Path, nil
}

func imageResponse(head bool, data []byte, contentType, serverTiming string) events.APIGatewayV2HTTPResponse {
	resp := events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers: map[string]string{
			"content-type":   contentType,
			"cache-control":  store.CacheControl,
			"content-length": strconv.Itoa(len(data)),
			"server-timing":  serverTiming,
		},
	}
	if !head {
		resp.Body = base64.StdEncoding.EncodeToString(data)
		resp.IsBase64Encoded = true
	}
	return resp
}

func redirect(location string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusFound,
		Headers: map[string]string{
			"location":       location,
			"cache-control":  noStore,
			"content-length": "0",
		},
	}
}

func forbidden() events.APIGatewayV2HTTPResponse {
	resp := errorResponse(http.StatusForbidden, "forbidden")
	resp.Headers["cache-control"] = noStore
	return resp
}

// errorResponse carries the public reason as text: 4xx briefly cacheable,
// 5xx never.
func errorResponse(status int, reason string) events.APIGatewayV2HTTPResponse {
	cc := errorCacheControl
	if status >= 500 {
		cc = noStore
	}
	body := reason + "\n"
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"content-type":   "text/plain; charset=utf-8",
			"cache-control":  cc,
			"content-length": strconv.Itoa(len(body)),
		},
		Body: body,
	}
}
