package verify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

const (
	hintSecret = "the converter's IMGCELLS_ORIGIN_VERIFY_SECRET (imgcells:originVerifySecret) and converter/httpapi's check"
	hintMRAP   = "the MRAP policy (front-mrap-policy: cloudfront.amazonaws.com, the distribution's ARN), the origin access control " +
		"(sigv4a), the transformed buckets' policies; the dashboard's already-stored graph"
)

// converterForbidden is the converter's own refusal of a request without the
// origin secret (converter/httpapi: 403, "forbidden").
func converterForbidden(p reply) bool {
	return p.status == http.StatusForbidden && strings.TrimSpace(string(p.body)) == "forbidden"
}

// probePath is a variant path for the probe: the converter refuses a request
// without the secret before it parses it.
func (r *run) probePath() string { return edgeEncode(r.probe) + "/format=webp,quality=75,width=100" }

// originChecks: each region's converter refuses a request without CloudFront's
// secret; with a custom domain, each region's default execute-api endpoint is
// closed (only convert.<domain> reaches the converters).
func (r *run) originChecks(ctx context.Context) {
	o := r.t.Outputs
	for _, region := range o.Regions() {
		r.check("secret/"+region, func() (string, error) { return r.refusesWithoutSecret(ctx, region) })
	}
	for _, region := range o.Regions() {
		r.check("execute-api/"+region, func() (string, error) {
			if !o.HasDomain() {
				return "", skipped("no imgcells:domain: the execute-api endpoint is the converter origin")
			}
			return r.executeAPIClosed(ctx, region)
		})
	}
}

func (r *run) refusesWithoutSecret(ctx context.Context, region string) (string, error) {
	o := r.t.Outputs
	client, rawURL, host := r.t.HTTP, strings.TrimRight(o.APIEndpoints[region], "/")+r.probePath(), ""
	if o.HasDomain() {
		target := o.APIDomainTargets[region]
		if target == "" {
			return "", skipped("no apiDomainTargets output: run `pulumi up` with this version to export each region's API domain target")
		}
		// Reach this region's convert.<domain> directly: latency routing
		// would only ever pick the nearest.
		host = "convert." + o.CDNHost
		client = dialing(target, host)
		rawURL = "https://" + host + r.probePath()
	}
	p, err := r.get(ctx, client, rawURL, "", host)
	if err != nil {
		return "", failf("the API in "+region+" and its domain (pulumi stack output apiEndpoints)", "GET %s: %v", rawURL, err)
	}
	if !converterForbidden(p) {
		return "", failf(hintSecret, "a request without the origin secret got %s, want the converter's 403", p.describe())
	}
	return fmt.Sprintf("%s → 403 %q without the secret", rawURL, "forbidden"), nil
}

// dialing is a client whose every connection goes to target:443, presenting
// host for TLS and HTTP: how to reach one region's regional API domain.
func dialing(target, host string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, net.JoinHostPort(target, "443"))
			},
			TLSClientConfig: &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// executeAPIClosed: a disabled default endpoint of an HTTP API answers 404
// ("Not Found"; a REST API's answers 403), or does not answer at all
// (https://repost.aws/knowledge-center/api-gateway-disable-endpoint). What it
// must not do is reach the converter.
func (r *run) executeAPIClosed(ctx context.Context, region string) (string, error) {
	rawURL := strings.TrimRight(r.t.Outputs.APIEndpoints[region], "/") + r.probePath()
	p, err := r.get(ctx, r.t.HTTP, rawURL, "", "")
	if err != nil {
		return "closed: " + shortErr(err), nil
	}
	if converterForbidden(p) || p.status < 400 || p.status >= 500 {
		return "", failf("disableExecuteApiEndpoint on the API (components/api.go): with a domain only convert.<domain> may reach the converter",
			"the default execute-api endpoint still reaches the converter: %s", p.describe())
	}
	return "closed: " + p.describe(), nil
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// replicatedOriginal waits until the probe original is in every region's
// replica of the source bucket.
func (r *run) replicatedOriginal(ctx context.Context) (string, error) {
	o := r.t.Outputs
	var buckets []string
	for _, region := range o.Regions() {
		if b := o.SourceBuckets[region]; b != o.PrimarySourceBucket {
			buckets = append(buckets, b)
		}
	}
	if len(buckets) == 0 {
		return "", skipped("one region: no replica")
	}
	took, err := r.waitFor(ctx, buckets, r.probe)
	if err != nil {
		return "", failf("the main source bucket's replication rules (cell-<primary>-source-replication) and their role",
			"the probe did not reach every replica in %s: %v", r.o.ReplicationTimeout, err)
	}
	return fmt.Sprintf("in %d replicas after %s", len(buckets), roundDuration(took)), nil
}

// replicatedVariant finds the variant the first request stored (AVIF or
// WebP, as the stack serves browsers) and waits until it is in every
// region's transformed bucket.
func (r *run) replicatedVariant(ctx context.Context) (string, error) {
	o := r.t.Outputs
	_, format := o.BrowserFormat()
	var buckets []string
	for _, region := range o.Regions() {
		buckets = append(buckets, o.TransformedBuckets[region])
	}
	for _, b := range buckets {
		keys, err := r.t.Store.Keys(ctx, b, r.probe+"/format="+format)
		if err != nil {
			return "", failf("the credentials' s3:ListBucket on "+b, "listing %s: %v", b, err)
		}
		if len(keys) > 0 {
			r.variant = keys[0]
			break
		}
	}
	if r.variant == "" {
		return "", failf(hintConverter+" (store_ms and error in its lines)", "no transformed bucket holds a %s variant of the probe: the converter did not store it", format)
	}
	took, err := r.waitFor(ctx, buckets, r.variant)
	if err != nil {
		return "", failf("the transformed buckets' replication rules (cell-<region>-transformed-replication)",
			"%s did not reach every transformed bucket in %s: %v", r.variant, r.o.ReplicationTimeout, err)
	}
	return fmt.Sprintf("%s in %d transformed buckets after %s", strings.TrimPrefix(r.variant, r.prefix), len(buckets), roundDuration(took)), nil
}

// waitFor polls until key is in every bucket or the replication timeout.
func (r *run) waitFor(ctx context.Context, buckets []string, key string) (time.Duration, error) {
	start := time.Now()
	pending := append([]string(nil), buckets...)
	for {
		var still []string
		for _, b := range pending {
			keys, err := r.t.Store.Keys(ctx, b, key)
			if err != nil {
				return 0, fmt.Errorf("listing %s: %w", b, err)
			}
			found := false
			for _, k := range keys {
				found = found || k == key
			}
			if !found {
				still = append(still, b)
			}
		}
		if pending = still; len(pending) == 0 {
			return time.Since(start), nil
		}
		if time.Since(start) > r.o.ReplicationTimeout {
			return 0, fmt.Errorf("still missing from %s", strings.Join(pending, ", "))
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(r.o.Poll):
		}
	}
}

// servedByMRAP invalidates the run's probes and asks again: the variant every
// transformed bucket holds must now come from the MRAP (no converter
// Server-Timing), not from a converter after a failover.
func (r *run) servedByMRAP(ctx context.Context) (string, error) {
	ictx, cancel := context.WithTimeout(ctx, r.o.InvalidationTimeout)
	defer cancel()
	start := time.Now()
	if err := r.t.Invalidate(ictx, "/"+r.prefix); err != nil {
		return "", failf("the credentials' cloudfront:CreateInvalidation and GetInvalidation on the distribution",
			"invalidating /%s*: %v", r.prefix, err)
	}
	invalidated := time.Since(start)
	ctype, format := r.t.Outputs.BrowserFormat()
	p, err := r.expectImage(ctx, r.probe, AcceptChrome, ctype, format)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(p.xcache(), "Miss") {
		return "", failf(hintCache, "after the invalidation the request was %q, want a miss", p.xcache())
	}
	if p.converted() {
		return "", failf(hintMRAP, "CloudFront failed over to the converter (Server-Timing %q) for a variant every transformed bucket holds: "+
			"the MRAP refuses it", p.header.Get("Server-Timing"))
	}
	server := ""
	if s := p.header.Get("Server"); s != "" {
		server = ", Server: " + s
	}
	return fmt.Sprintf("%s, no converter Server-Timing%s (invalidation took %s)", p.describe(), server, roundDuration(invalidated)), nil
}
