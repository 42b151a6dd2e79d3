package stack

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"imgcells/edge/cfrun"
)

// RegionHeader picks the simulated viewer region of one request (the region
// latency routing would pick); without it the stack's ViewerRegion serves.
const RegionHeader = "X-Imgcells-Region"

// Debug headers the local stack adds so a person or a test can see the path
// a response took. CloudFront sends none of them.
const (
	OriginHeader   = "X-Imgcells-Origin"   // cache, s3 or converter
	FailoverHeader = "X-Imgcells-Failover" // why the bucket was skipped, e.g. "s3 404"
	KeyHeader      = "X-Imgcells-Key"      // the rewritten URI: cache key and object key
)

// ServeHTTP serves the gallery at / and /_local/…, and everything else
// through the CDN request path.
func (s *Stack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := s.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	switch {
	case r.URL.Path == "/" && r.URL.RawQuery == "":
		s.serveGallery(w, r)
		return
	case strings.HasPrefix(r.URL.Path, "/_local/"):
		s.serveLocalAPI(w, r)
		return
	}
	s.serveCDN(w, r)
}

func (s *Stack) serveCDN(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	d := Delivery{Time: start, Method: r.Method, URL: r.URL.RequestURI(), Accept: r.Header.Get("Accept")}
	defer func() {
		d.Total = time.Since(start)
		s.deliveries.add(d)
		s.logf("%s", d.String())
	}()
	regionName := r.Header.Get(RegionHeader)
	if regionName == "" {
		regionName = s.cfg.ViewerRegion
	}
	d.Region = regionName
	reg, ok := s.regions[regionName]
	if !ok {
		d.Status, d.Cache = http.StatusBadRequest, "Error"
		http.Error(w, "unknown region "+strconv.Quote(regionName)+" in "+RegionHeader, http.StatusBadRequest)
		return
	}
	// The distribution allows GET and HEAD only (components/distribution.go).
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		d.Status, d.Cache = http.StatusForbidden, "Error"
		w.Header().Set("X-Cache", "Error from cloudfront")
		http.Error(w, "This distribution is not configured to allow the HTTP request method that was used for this request.", http.StatusForbidden)
		return
	}

	t0 := time.Now()
	res, err := s.edge.Run(cfrun.FromHTTP(r))
	d.Edge = time.Since(t0)
	if err != nil {
		s.logf("edge function failed: %v", err)
		d.Status, d.Cache = http.StatusServiceUnavailable, "Error"
		w.Header().Set("X-Cache", "FunctionExecutionError from cloudfront")
		http.Error(w, "The CloudFront function associated with the request failed.", http.StatusServiceUnavailable)
		return
	}
	if res.Response != nil {
		d.Status, d.Cache = res.Response.StatusCode, "Function"
		writeFunctionResponse(w, r.Method, res.Response)
		return
	}
	uri := res.Request.URI
	d.Key = uri
	w.Header().Set(KeyHeader, uri)

	if e, ok := reg.cache.get(uri); ok {
		d.Status, d.Cache, d.Origin = e.status, "Hit", "cache"
		d.ContentType, d.Bytes = e.header.Get("Content-Type"), len(e.body)
		age := int(time.Since(e.storedAt).Seconds())
		s.writeResponse(w, r, e.status, e.header, e.body, "Hit", "cache", "", age)
		return
	}

	forwarded := originHeaders(res.Request)
	fetch := func(ctx context.Context) originResult {
		o := s.fetchOrigin(ctx, reg, r.Method, uri, forwarded)
		if r.Method == http.MethodGet {
			reg.cache.Put(uri, o.status, o.header, o.body)
		}
		return o
	}
	var o originResult
	if s.cfg.NoCollapse {
		o = fetch(r.Context())
	} else {
		// Simultaneous misses of one key and method share one origin
		// request, HEADs as well as GETs: a HEAD miss converts too. The
		// origin request outlives any one viewer that waits for it.
		ctx := context.WithoutCancel(r.Context())
		o = reg.flights.do(r.Method+" "+uri, func() originResult { return fetch(ctx) })
	}
	d.Status, d.Cache, d.Origin, d.Failover = o.status, "Miss", o.origin, o.failover
	d.ContentType, d.Bytes, d.S3, d.Convert = o.header.Get("Content-Type"), len(o.body), o.s3Time, o.convTime
	if o.origin == "converter" {
		d.ServerTiming = o.header.Get("Server-Timing")
	}
	if o.status >= 400 {
		d.Cache = "Error"
	}
	s.writeResponse(w, r, o.status, o.header, o.body, d.Cache, o.origin, o.failover, -1)
}

// writeResponse sends an origin or cached response to the viewer with the
// headers CloudFront and the response headers policy add.
func (s *Stack) writeResponse(w http.ResponseWriter, r *http.Request, status int, h http.Header, body []byte, cache, origin, failover string, age int) {
	out := w.Header()
	for k, vs := range h {
		out[k] = append([]string(nil), vs...)
	}
	out.Set("Vary", "Accept")
	out.Set("X-Cache", cache+" from cloudfront")
	out.Set("Via", "1.1 imgcells-local.cloudfront.net (CloudFront)")
	out.Set(OriginHeader, origin)
	if failover != "" {
		out.Set(FailoverHeader, failover)
	}
	if age >= 0 {
		out.Set("Age", strconv.Itoa(age))
	}
	if status == http.StatusOK {
		if etag := h.Get("ETag"); etag != "" && r.Header.Get("If-None-Match") == etag {
			out.Del("Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method != http.MethodHead || h.Get("Content-Length") == "" {
			out.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // a viewer that hung up cannot be told
	}
}

func writeFunctionResponse(w http.ResponseWriter, method string, resp *cfrun.Response) {
	for name, v := range resp.Headers {
		w.Header().Set(name, v.Value)
		for _, m := range v.MultiValue[min(1, len(v.MultiValue)):] {
			w.Header().Add(name, m.Value)
		}
	}
	w.Header().Set("X-Cache", "FunctionGeneratedResponse from cloudfront")
	w.WriteHeader(resp.StatusCode)
	if method != http.MethodHead {
		_, _ = w.Write([]byte(resp.Body)) // a viewer that hung up cannot be told
	}
}
