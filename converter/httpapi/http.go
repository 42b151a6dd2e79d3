package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// EventFromHTTP builds the payload 2.0 event API Gateway's HTTP API would
// send for r: lower-cased header names with repeated values joined by
// commas, and rawPath percent-decoded (r.URL.Path), as HTTP APIs deliver it.
func EventFromHTTP(r *http.Request) events.APIGatewayV2HTTPRequest {
	headers := make(map[string]string, len(r.Header))
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	now := time.Now()
	return events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "$default",
		RawPath:        r.URL.Path,
		RawQueryString: r.URL.RawQuery,
		Headers:        headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  "$default",
			Stage:     "$default",
			RequestID: strconv.FormatInt(now.UnixNano(), 36),
			TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  r.RemoteAddr,
				UserAgent: r.UserAgent(),
			},
		},
	}
}

// WriteResponse writes resp to w as API Gateway would: base64 bodies
// decoded, headers as given.
func WriteResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) error {
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("decoding response body: %w", err)
		}
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("writing response body: %w", err)
	}
	return nil
}

// ServeHTTP serves h over net/http, for the local stack: it converts the
// request with EventFromHTTP and the answer with WriteResponse.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp, _ := h.Handle(r.Context(), EventFromHTTP(r))
	if err := WriteResponse(w, resp); err != nil {
		h.log.ErrorContext(r.Context(), "writing response", "error", err.Error())
	}
}
