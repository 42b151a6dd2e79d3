// Package verify checks a deployed imgcells stack end to end from outside, the
// way its viewers and CloudFront reach it: it uploads probe originals under a
// reserved prefix of the main source bucket, asks for them through the CDN as
// browsers and curl would, watches the variant replicate and come back from
// the Multi-Region Access Point, checks that the converters refuse what only
// CloudFront may ask, measures first-request and cached latency, and removes
// its probes. It reads the stack's outputs (`pulumi stack output --json`) and
// needs only the credentials `pulumi up` used. The local stack serves the same
// outputs (/_local/outputs), so the same checks run against it in tests.
// cmd/verify is the command.
package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Outputs are a stack's outputs as `pulumi stack output --json` prints them
// (components.Deploy exports them), or the local stack's.
type Outputs struct {
	CDNHost             string            `json:"cdnHost"`
	CDNDomain           string            `json:"cdnDomain"`
	CDNURL              string            `json:"cdnUrl"` // the local stack's http:// base; AWS is https://cdnHost
	APIEndpoints        map[string]string `json:"apiEndpoints"`
	APIDomainTargets    map[string]string `json:"apiDomainTargets"` // with a domain: each region's API domain target
	SourceBuckets       map[string]string `json:"sourceBuckets"`
	PrimarySourceBucket string            `json:"primarySourceBucket"`
	TransformedBuckets  map[string]string `json:"transformedBuckets"`
	DistributionID      string            `json:"distributionId"`
	Signing             bool              `json:"signing"`
	AVIF                *bool             `json:"avif"` // the edge picks AVIF for browsers that accept it
	DashboardURL        string            `json:"dashboardUrl"`
	Local               *LocalAccess      `json:"local"`
}

// LocalAccess is what only the local stack adds to its outputs: its S3 server
// and how to invalidate its caches.
type LocalAccess struct {
	S3Endpoint      string `json:"s3Endpoint"`
	S3Region        string `json:"s3Region"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	InvalidateURL   string `json:"invalidateUrl"`
	SignKey         string `json:"signKey"`
}

// ParseOutputs decodes outputs and checks that every key the checks need is
// there; a stack deployed before a key was exported needs a `pulumi up`.
func ParseOutputs(b []byte) (Outputs, error) {
	var o Outputs
	if err := json.Unmarshal(b, &o); err != nil {
		return Outputs{}, fmt.Errorf("stack outputs are not the JSON of `pulumi stack output --json`: %w", err)
	}
	var missing []string
	need := func(key string, ok bool) {
		if !ok {
			missing = append(missing, key)
		}
	}
	need("cdnHost", o.CDNHost != "")
	need("cdnDomain", o.CDNDomain != "")
	need("apiEndpoints", len(o.APIEndpoints) > 0)
	need("sourceBuckets", len(o.SourceBuckets) > 0)
	need("primarySourceBucket", o.PrimarySourceBucket != "")
	need("transformedBuckets", len(o.TransformedBuckets) > 0)
	need("distributionId", o.DistributionID != "")
	need("avif", o.AVIF != nil)
	if len(missing) > 0 {
		return Outputs{}, fmt.Errorf("stack outputs lack %s: run `pulumi up` with this version of imgcells, which exports them",
			strings.Join(missing, ", "))
	}
	if o.PrimaryRegion() == "" {
		return Outputs{}, errors.New("stack outputs: primarySourceBucket is none of sourceBuckets")
	}
	for r := range o.SourceBuckets {
		if o.TransformedBuckets[r] == "" || o.APIEndpoints[r] == "" {
			return Outputs{}, fmt.Errorf("stack outputs: region %s has a source bucket but no transformed bucket or API endpoint", r)
		}
	}
	return o, nil
}

// Regions are the stack's regions, sorted.
func (o Outputs) Regions() []string {
	var rs []string
	for r := range o.SourceBuckets {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return rs
}

// PrimaryRegion holds the main source bucket.
func (o Outputs) PrimaryRegion() string {
	for r, b := range o.SourceBuckets {
		if b == o.PrimarySourceBucket {
			return r
		}
	}
	return ""
}

// BrowserFormat is the Content-Type and image format a current browser
// (Chrome, Safari: both accept AVIF and WebP) gets.
func (o Outputs) BrowserFormat() (ctype, format string) {
	if o.AVIF != nil && *o.AVIF {
		return "image/avif", "avif"
	}
	return "image/webp", "webp"
}

// BaseURL is where viewers reach the CDN.
func (o Outputs) BaseURL() string {
	if o.CDNURL != "" {
		return strings.TrimRight(o.CDNURL, "/")
	}
	return "https://" + o.CDNHost
}

// HasDomain reports whether the stack serves a custom domain (then the
// converters answer at convert.<domain> and their execute-api endpoints are
// closed).
func (o Outputs) HasDomain() bool { return o.CDNHost != o.CDNDomain }

// BucketRegion is the region of one of the stack's buckets ("" if none).
func (o Outputs) BucketRegion(bucket string) string {
	for _, m := range []map[string]string{o.SourceBuckets, o.TransformedBuckets} {
		for r, b := range m {
			if b == bucket {
				return r
			}
		}
	}
	return ""
}
