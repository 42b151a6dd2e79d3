package storetest

import (
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// StallProxy stands between the converter's S3 client and a real S3 server
// and makes GETs of objects stall as Plan says: the n'th GET (from 0) is
// held before its answer starts (headers), or its body stops after
// bodyBytes. A stalled request stays open, silent, until the client gives
// up on it.
type StallProxy struct {
	Target *url.URL
	Plan   func(n int) (holdHeaders bool, bodyBytes int) // bodyBytes < 0: the whole body
	// HoldPuts holds every PUT, unanswered.
	HoldPuts bool

	mu   sync.Mutex
	gets []http.Header // each GET's request headers, in order
}

// ServeHTTP forwards r to Target, or stalls it as planned.
func (p *StallProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := -1
	if r.Method == http.MethodGet && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1 {
		p.mu.Lock()
		n = len(p.gets)
		p.gets = append(p.gets, r.Header.Clone())
		p.mu.Unlock()
	}
	hold, limit := r.Method == http.MethodPut && p.HoldPuts, -1
	if n >= 0 && p.Plan != nil {
		hold, limit = p.Plan(n)
	}
	if hold {
		// The server notices the client leaving only once the request's
		// body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = p.Target.Scheme, p.Target.Host
	out.Host = r.Host // the signature covers the Host the client sent
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	maps.Copy(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	if limit < 0 {
		_, _ = io.Copy(w, resp.Body)
		return
	}
	_, _ = io.CopyN(w, resp.Body, int64(limit))
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// Requests are the request headers of each GET of an object, in order.
func (p *StallProxy) Requests() []http.Header {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]http.Header(nil), p.gets...)
}
