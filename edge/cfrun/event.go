// Package cfrun runs a CloudFront Function (runtime cloudfront-js-2.0) on
// viewer-request events in an embedded JavaScript engine (goja), with the
// runtime's crypto and cloudfront (KeyValueStore) modules backed by Go. The
// edge tests and the local stack use it, so both run the deployed bytes.
package cfrun

import (
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Value is CloudFront's form of a header, query parameter or cookie: the
// first value, and every value in MultiValue when there are several.
type Value struct {
	Value      string  `json:"value"`
	MultiValue []Value `json:"multiValue,omitempty"`
}

// Request is the request object of a viewer-request event. Header names are
// lower case; query names and values are as the viewer sent them (still
// percent-encoded), the URI too.
type Request struct {
	Method      string           `json:"method"`
	URI         string           `json:"uri"`
	Querystring map[string]Value `json:"querystring"`
	Headers     map[string]Value `json:"headers"`
	Cookies     map[string]Value `json:"cookies"`
}

// Event is what CloudFront passes to the handler.
type Event struct {
	Version string  `json:"version"`
	Context Context `json:"context"`
	Viewer  Viewer  `json:"viewer"`
	Request Request `json:"request"`
}

// Context describes the distribution and the request.
type Context struct {
	DistributionDomainName string `json:"distributionDomainName,omitempty"`
	DistributionID         string `json:"distributionId,omitempty"`
	EventType              string `json:"eventType"`
	RequestID              string `json:"requestId,omitempty"`
}

// Viewer is the client.
type Viewer struct {
	IP string `json:"ip"`
}

// Response is a response the function generated itself; Body is the text
// (a base64 body is decoded).
type Response struct {
	StatusCode        int              `json:"statusCode"`
	StatusDescription string           `json:"statusDescription,omitempty"`
	Headers           map[string]Value `json:"headers,omitempty"`
	Body              string           `json:"-"`
}

// Result is what the function returned: either the request to continue with
// (Request, rewritten) or its own response (Response).
type Result struct {
	Request  *Request
	Response *Response
}

// URL is the request's path and query string as CloudFront forwards it.
func (r Request) URL() string {
	if len(r.Querystring) == 0 {
		return r.URI
	}
	names := make([]string, 0, len(r.Querystring))
	for name := range r.Querystring {
		names = append(names, name)
	}
	sort.Strings(names)
	var parts []string
	for _, name := range names {
		v := r.Querystring[name]
		if len(v.MultiValue) == 0 {
			parts = append(parts, name+"="+v.Value)
			continue
		}
		for _, m := range v.MultiValue {
			parts = append(parts, name+"="+m.Value)
		}
	}
	return r.URI + "?" + strings.Join(parts, "&")
}

// NewEvent builds a viewer-request event for a method, a request target as
// the viewer sent it ("/products/shoe.jpg?width=640", percent-encoding kept)
// and headers.
func NewEvent(method, target string, header http.Header) Event {
	uri, rawQuery, _ := strings.Cut(target, "?")
	return Event{
		Version: "1.0",
		Context: Context{EventType: "viewer-request"},
		Viewer:  Viewer{IP: "127.0.0.1"},
		Request: Request{
			Method:      method,
			URI:         uri,
			Querystring: querystring(rawQuery),
			Headers:     headers(header),
			Cookies:     map[string]Value{},
		},
	}
}

// FromHTTP builds the event for an incoming HTTP request, from the request
// target exactly as the client sent it when the server recorded it.
func FromHTTP(r *http.Request) Event {
	target := r.RequestURI
	if !strings.HasPrefix(target, "/") {
		target = r.URL.RequestURI() // a client-side request, or absolute-form
	}
	ev := NewEvent(r.Method, target, r.Header)
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ev.Viewer.IP = host
	}
	return ev
}

func querystring(raw string) map[string]Value {
	lists := map[string][]string{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		lists[name] = append(lists[name], value)
	}
	return values(lists)
}

func headers(h http.Header) map[string]Value {
	lists := map[string][]string{}
	for name, vs := range h {
		lower := strings.ToLower(name)
		lists[lower] = append(lists[lower], vs...)
	}
	return values(lists)
}

// values converts to CloudFront's form: value holds the first, and
// multiValue lists all when there is more than one.
func values(lists map[string][]string) map[string]Value {
	out := make(map[string]Value, len(lists))
	for name, list := range lists {
		v := Value{Value: list[0]}
		if len(list) > 1 {
			for _, s := range list {
				v.MultiValue = append(v.MultiValue, Value{Value: s})
			}
		}
		out[name] = v
	}
	return out
}
