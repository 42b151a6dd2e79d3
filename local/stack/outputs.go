package stack

import (
	"net"
	"net/http"
	"strings"

	"imgcells/converter/httpapi"
)

// The local stack's stand-ins for what a deployed stack exposes, so cmd/verify
// (package verify) checks it exactly as it checks AWS:
//
//	/_local/outputs          the keys `pulumi stack output --json` prints, with
//	                         the local stack's values, plus "local": how to reach
//	                         its S3 server and invalidate its caches
//	/_local/api/<region>/…   that region's converter behind an HTTP API-shaped
//	                         adapter, as its execute-api endpoint: no
//	                         origin-verify secret is added, so it answers 403
//	/_local/invalidate       POST: an invalidation (empties every edge cache)
const (
	outputsPath    = "/_local/outputs"
	apiPrefix      = "/_local/api/"
	invalidatePath = "/_local/invalidate"
)

// serveVerifyAPI answers the endpoints above; it reports false for any other path.
func (s *Stack) serveVerifyAPI(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.URL.Path == outputsPath:
		s.serveOutputs(w, r)
	case r.URL.Path == invalidatePath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return true
		}
		s.PurgeCaches()
		writeJSON(w, http.StatusOK, map[string]string{"status": "Completed"})
	case strings.HasPrefix(r.URL.Path, apiPrefix):
		s.serveRegionAPI(w, r)
	default:
		return false
	}
	return true
}

// serveOutputs lists the stack's outputs. They include the S3 server's
// credentials and the URL-signing key, so only loopback callers get them.
func (s *Stack) serveOutputs(w http.ResponseWriter, r *http.Request) {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || !net.ParseIP(host).IsLoopback() {
		http.Error(w, "outputs are served to loopback callers only", http.StatusForbidden)
		return
	}
	base := "http://" + r.Host
	apis, sources, transformed := map[string]string{}, map[string]string{}, map[string]string{}
	for _, region := range s.cfg.Regions {
		apis[region] = base + apiPrefix + region
		sources[region] = s.buckets.Source(region)
		transformed[region] = s.buckets.Transformed(region)
	}
	local := map[string]string{
		"s3Endpoint": s.server.Endpoint, "s3Region": s.server.Region,
		"accessKeyId": s.server.AccessKey, "secretAccessKey": s.server.SecretKey,
		"invalidateUrl": base + invalidatePath,
	}
	if s.cfg.Edge.Signing {
		local["signKey"] = s.cfg.SigningKey
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"cdnHost":             r.Host,
		"cdnDomain":           r.Host,
		"cdnUrl":              base,
		"apiEndpoints":        apis,
		"sourceBuckets":       sources,
		"primarySourceBucket": s.buckets.PrimarySource(),
		"transformedBuckets":  transformed,
		"mrapAlias":           "local",
		"distributionId":      "local",
		"signing":             s.cfg.Edge.Signing,
		"avif":                s.cfg.Edge.AVIF,
		"local":               local,
	})
}

// serveRegionAPI hands /_local/api/<region>/<path> to that region's converter
// as API Gateway would hand it /<path>: the request as the viewer sent it,
// with no secret added.
func (s *Stack) serveRegionAPI(w http.ResponseWriter, r *http.Request) {
	name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, apiPrefix), "/")
	reg, ok := s.regions[name]
	if !ok {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	req := r.Clone(r.Context())
	req.URL.Path, req.URL.RawPath = "/"+rest, ""
	actx, after := httpapi.WithAfter(r.Context())
	resp, err := reg.converter.Handle(actx, httpapi.EventFromHTTP(req))
	s.after.start(after)
	if err != nil {
		http.Error(w, `{"message":"Internal Server Error"}`, http.StatusInternalServerError)
		return
	}
	if err := httpapi.WriteResponse(w, resp); err != nil {
		s.logf("local API %s: %v", name, err)
	}
}
