package components

import (
	"slices"
	"strings"
	"testing"

	"imgcells/contract"
)

const tORP = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"

func checkCDN(t *testing.T, d *deployment) {
	dists := d.ofType(tDistribution)
	if len(dists) != 1 {
		t.Fatalf("%d distributions", len(dists))
	}
	in := dists[0].Inputs
	// The design's failover set: a variant not stored yet (403, 404) and origin errors.
	if got, want := ints(in, "originGroups", 0, "failoverCriteria", "statusCodes"), contract.FailoverStatusCodes; !slices.Equal(got, want) {
		t.Errorf("failover codes %v, want %v", got, want)
	}
	if str(in, "originGroups", 0, "members", 0, "originId") != originMRAP || str(in, "originGroups", 0, "members", 1, "originId") != originConverter {
		t.Errorf("origin group members: MRAP must be primary, converter fallback: %v", get(in, "originGroups"))
	}
	beh := []any{"defaultCacheBehavior"}
	at := func(p ...any) []any { return append(slices.Clone(beh), p...) }
	if str(in, at("targetOriginId")...) != originGroup || str(in, at("viewerProtocolPolicy")...) != "https-only" {
		t.Errorf("default behaviour must target the origin group over HTTPS only")
	}
	if m := strs(in, at("allowedMethods")...); !slices.Equal(m, []string{"GET", "HEAD"}) {
		t.Errorf("allowed methods %v: origin groups fail over only for GET and HEAD", m)
	}
	if str(in, at("functionAssociations", 0, "eventType")...) != "viewer-request" {
		t.Errorf("the edge function is not on viewer-request")
	}
	if str(in, "httpVersion") != "http2and3" || !boolean(in, "isIpv6Enabled") || str(in, "priceClass") != d.cfg.PriceClass {
		t.Errorf("http %q ipv6 %v price %q", str(in, "httpVersion"), boolean(in, "isIpv6Enabled"), str(in, "priceClass"))
	}
	origins := map[string]int{}
	for i := range get(in, "origins").ArrayValue() {
		origins[str(in, "origins", i, "originId")] = i
	}
	mrapOrigin := origins[originMRAP]
	mrap := d.ofType(tMRAP)[0]
	if str(in, "origins", mrapOrigin, "domainName") != str(mrap.Outputs, "domainName") ||
		!strings.HasSuffix(str(in, "origins", mrapOrigin, "domainName"), ".accesspoint.s3-global.amazonaws.com") {
		t.Errorf("MRAP origin domain %q", str(in, "origins", mrapOrigin, "domainName"))
	}
	// A miss reaches the converter within seconds when the access point
	// cannot be reached, not after CloudFront's default 3 × 10 s.
	if a, c := num(in, "origins", mrapOrigin, "connectionAttempts"), num(in, "origins", mrapOrigin, "connectionTimeout"); a != MRAPConnectionAttempts || c != MRAPConnectionTimeout || a*c > 6 {
		t.Errorf("MRAP origin connection attempts %v × timeout %v s, want %d × %d (at most 6 s before failover)", a, c, MRAPConnectionAttempts, MRAPConnectionTimeout)
	}
	oac := d.ofType(tOAC)
	if len(oac) != 1 || str(in, "origins", mrapOrigin, "originAccessControlId") != str(oac[0].Outputs, "awsId") {
		t.Fatalf("MRAP origin is not signed by the OAC")
	}
	c := []any{"originAccessControlConfig"}
	if str(oac[0].Inputs, append(c, "signingProtocol")...) != "sigv4a" || str(oac[0].Inputs, append(c, "originAccessControlOriginType")...) != "s3" ||
		str(oac[0].Inputs, append(c, "signingBehavior")...) != "always" {
		t.Errorf("OAC %v, want sigv4a / s3 / always", get(oac[0].Inputs, "originAccessControlConfig"))
	}
	conv := origins[originConverter]
	if str(in, "origins", conv, "customHeaders", 0, "name") != contract.OriginVerifyHeader ||
		str(in, "origins", conv, "customHeaders", 0, "value") != testSecret ||
		!get(in, "origins").ContainsSecrets() {
		t.Errorf("converter origin lacks the secret %s header", contract.OriginVerifyHeader)
	}
	if str(in, "origins", conv, "customOriginConfig", "originProtocolPolicy") != "https-only" {
		t.Errorf("converter origin is not HTTPS only")
	}
	wantHost := ConvertDomain(d.cfg.Domain)
	if d.cfg.Domain == "" {
		api := d.named("aws:apigatewayv2/api:Api", child(CellName(d.cfg.PrimaryRegion), "api"))
		wantHost = strings.TrimPrefix(str(api.Outputs, "apiEndpoint"), "https://")
	}
	if got := str(in, "origins", conv, "domainName"); got != wantHost {
		t.Errorf("converter origin %q, want %q", got, wantHost)
	}
	if d.cfg.Domain != "" {
		if str(in, "viewerCertificate", "minimumProtocolVersion") != ViewerTLSPolicy || !slices.Equal(strs(in, "aliases"), []string{d.cfg.Domain}) {
			t.Errorf("custom domain: cert %v aliases %v", get(in, "viewerCertificate"), strs(in, "aliases"))
		}
	}

	cp := d.ofType(tCachePolicy)
	p := []any{"parametersInCacheKeyAndForwardedToOrigin"}
	if len(cp) != 1 || str(cp[0].Inputs, append(p, "headersConfig", "headerBehavior")...) != "none" ||
		str(cp[0].Inputs, append(p, "cookiesConfig", "cookieBehavior")...) != "none" ||
		str(cp[0].Inputs, append(p, "queryStringsConfig", "queryStringBehavior")...) != "none" {
		t.Errorf("cache key must be the URI alone: %v", get(cp[0].Inputs, p...))
	}
	// The origins get exactly the edge function's header (the rewritten URI, for keys
	// with ? or #) and nothing else from the viewer; the key stays the URI alone.
	orp := d.ofType(tORP)
	if len(orp) != 1 {
		t.Fatalf("%d origin request policies", len(orp))
	}
	if got := strs(orp[0].Inputs, "headersConfig", "headers", "items"); str(orp[0].Inputs, "headersConfig", "headerBehavior") != "whitelist" ||
		!slices.Equal(got, []string{contract.VariantHeader}) || !slices.Equal(got, contract.OriginRequestHeaders()) {
		t.Errorf("origin request policy forwards headers %v (%s), want only %s", got, str(orp[0].Inputs, "headersConfig", "headerBehavior"),
			contract.VariantHeader)
	}
	if str(orp[0].Inputs, "cookiesConfig", "cookieBehavior") != "none" || str(orp[0].Inputs, "queryStringsConfig", "queryStringBehavior") != "none" {
		t.Errorf("origin request policy forwards cookies or query strings: %v", orp[0].Inputs)
	}
	if got := strs(cp[0].Inputs, append(p, "headersConfig", "headers", "items")...); len(got) != 0 {
		t.Errorf("cache key names headers %v", got)
	}
	if str(in, at("originRequestPolicyId")...) != orp[0].Name+"-id" || str(in, at("cachePolicyId")...) != cp[0].Name+"-id" {
		t.Errorf("default behaviour uses origin request policy %q and cache policy %q", str(in, at("originRequestPolicyId")...), str(in, at("cachePolicyId")...))
	}
	rhp := d.ofType(tRHP)
	if len(rhp) != 1 || str(rhp[0].Inputs, "customHeadersConfig", "items", 0, "header") != "Vary" ||
		str(rhp[0].Inputs, "customHeadersConfig", "items", 0, "value") != "Accept" {
		t.Errorf("response headers policy lacks Vary: Accept")
	}
	if !boolean(rhp[0].Inputs, "securityHeadersConfig", "contentTypeOptions", "override") ||
		num(rhp[0].Inputs, "securityHeadersConfig", "strictTransportSecurity", "accessControlMaxAgeSec") <= 0 {
		t.Errorf("response headers policy lacks security headers")
	}
	fn := d.ofType(tCFFunction)
	if len(fn) != 1 || str(fn[0].Inputs, "runtime") != EdgeRuntime || !strings.Contains(str(fn[0].Inputs, "code"), `"widths":[`) {
		t.Fatalf("edge function missing or not rendered")
	}
	kvs := d.ofType(tKVS)
	if d.cfg.Edge.Signing != (len(kvs) == 1) || d.cfg.Edge.Signing != (len(strs(fn[0].Inputs, "keyValueStoreAssociations")) == 1) {
		t.Errorf("signing %v but %d key value stores, associations %v", d.cfg.Edge.Signing, len(kvs), strs(fn[0].Inputs, "keyValueStoreAssociations"))
	}
}

// The MRAP spans exactly the configured regions' transformed buckets and admits only
// this distribution, on objects; the transformed buckets admit it too.
func checkMRAP(t *testing.T, d *deployment) {
	mraps := d.ofType(tMRAP)
	if len(mraps) != 1 {
		t.Fatalf("%d MRAPs", len(mraps))
	}
	m := mraps[0]
	if got, want := str(m.Inputs, "details", "name"), MRAPName(d.stack, transformedBuckets(d)); got != want {
		t.Errorf("MRAP name %q, want %q (from the stack and its buckets)", got, want)
	}
	var regions, buckets, want, wantBuckets []string
	for i := range get(m.Inputs, "details", "regions").ArrayValue() {
		regions = append(regions, str(m.Inputs, "details", "regions", i, "region"))
		buckets = append(buckets, str(m.Inputs, "details", "regions", i, "bucket"))
	}
	for _, r := range d.cfg.Regions {
		want = append(want, r)
		wantBuckets = append(wantBuckets, str(d.named(tBucket, child(CellName(r), "transformed")).Outputs, "bucket"))
	}
	for _, s := range [][]string{regions, buckets, want, wantBuckets} {
		slices.Sort(s)
	}
	if !slices.Equal(regions, want) || !slices.Equal(buckets, wantBuckets) {
		t.Errorf("MRAP regions %v buckets %v, want %v %v", regions, buckets, want, wantBuckets)
	}
	distARN := str(d.ofType(tDistribution)[0].Outputs, "arn")
	pol := d.ofType(tMRAPPolicy)
	if len(pol) != 1 {
		t.Fatalf("%d MRAP policies", len(pol))
	}
	doc := policyDoc(t, &recorded{Inputs: get(pol[0].Inputs, "details").ObjectValue()})
	wantRes := "arn:aws:s3::" + mockAccount + ":accesspoint/" + str(m.Outputs, "alias") + "/object/*"
	if len(doc.Statement) != 1 || !slices.Equal(doc.Statement[0].Resource, []string{wantRes}) ||
		doc.Statement[0].Condition["StringEquals"]["AWS:SourceArn"] != distARN ||
		!slices.Equal(doc.Statement[0].Action, []string{"s3:GetObject"}) {
		t.Errorf("MRAP policy %+v, want GetObject on %s for %s", doc, wantRes, distARN)
	}
	for _, r := range d.cfg.Regions {
		p := d.named(tBucketPolicy, child(CellName(r), "transformed-policy"))
		ok := false
		for _, s := range policyDoc(t, p).Statement {
			if s.Effect == "Allow" && s.Condition["StringEquals"]["AWS:SourceArn"] == distARN {
				ok = true
			}
		}
		if !ok {
			t.Errorf("transformed bucket in %s does not admit the distribution", r)
		}
	}
}

// With a domain: one latency record per region for convert.<domain>, and the CDN alias.
func checkDNS(t *testing.T, d *deployment) {
	var latency []string
	aliases := 0
	for _, r := range d.ofType(tRecord) {
		switch {
		case str(r.Inputs, "name") == ConvertDomain(d.cfg.Domain) && d.cfg.Domain != "":
			latency = append(latency, str(r.Inputs, "latencyRoutingPolicies", 0, "region"))
			if str(r.Inputs, "setIdentifier") == "" || str(r.Inputs, "aliases", 0, "name") == "" {
				t.Errorf("latency record %s: %v", r.Name, r.Inputs)
			}
		case str(r.Inputs, "name") == d.cfg.Domain && d.cfg.Domain != "":
			aliases++
			if str(r.Inputs, "aliases", 0, "name") != str(d.ofType(tDistribution)[0].Outputs, "domainName") {
				t.Errorf("CDN alias %s does not point at the distribution", r.Name)
			}
		}
	}
	want := slices.Clone(d.cfg.Regions)
	if d.cfg.Domain == "" {
		want = nil
		if n := len(d.ofType(tRecord)); n != 0 {
			t.Errorf("%d DNS records without a domain", n)
		}
	} else if aliases != 2 {
		t.Errorf("%d CDN alias records, want A and AAAA", aliases)
	}
	slices.Sort(want)
	slices.Sort(latency)
	if !slices.Equal(latency, want) {
		t.Errorf("latency records for %v, want one per region %v", latency, want)
	}
}

// transformedBuckets maps each region to its transformed bucket's name.
func transformedBuckets(d *deployment) map[string]string {
	out := map[string]string{}
	for _, r := range d.cfg.Regions {
		out[r] = str(d.named(tBucket, child(CellName(r), "transformed")).Outputs, "bucket")
	}
	return out
}
