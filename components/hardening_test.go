package components

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"imgcells/components/stackconfig"
)

// ACM asks every region's certificate for convert.<domain> for the same validation
// record: the stack writes each validation record name exactly once, convert.<domain>'s
// in the ConvertDNS, and every regional certificate waits on that one record.
func checkValidationRecords(t *testing.T, d *deployment) {
	byName := map[string][]*recorded{}
	for _, r := range d.ofType(tRecord) {
		if n := str(r.Inputs, "name"); strings.HasPrefix(n, "_") {
			byName[n] = append(byName[n], r)
		}
	}
	for n, rs := range byName {
		if len(rs) != 1 {
			var names []string
			for _, r := range rs {
				names = append(names, r.Name)
			}
			t.Errorf("validation record %s is written %d times (%v): removing one owner deletes it for all", n, len(rs), names)
		}
	}
	certs := d.ofType(tCert)
	if d.cfg.Domain == "" {
		if len(certs) != 0 || len(byName) != 0 {
			t.Errorf("no domain, but %d certificates and %d validation records", len(certs), len(byName))
		}
		return
	}
	if want := len(d.cfg.Regions) + 1; len(certs) != want || len(byName) != 2 {
		t.Errorf("%d certificates (want %d: one per region and the CDN's), %d validation record names (want 2)", len(certs), want, len(byName))
	}
	shared := d.named(tRecord, child(DNSComponentName, "validation"))
	if shared == nil || d.component(shared) == nil || d.component(shared).Type != DNSType {
		t.Fatalf("no validation record owned by the %s component", DNSComponentName)
	}
	for _, r := range d.cfg.Regions {
		v := d.named(tCertValid, child(CellName(r), "api-domain-cert-validated"))
		if v == nil {
			t.Errorf("no certificate validation in %s", r)
			continue
		}
		if got := strs(v.Inputs, "validationRecordFqdns"); !slices.Equal(got, []string{str(shared.Outputs, "fqdn")}) {
			t.Errorf("%s waits on %v, not the shared record %s", v.Name, got, str(shared.Outputs, "fqdn"))
		}
	}
}

// Removing a region (here each non-primary one, then the primary after moving it)
// leaves convert.<domain>'s validation record in place, unchanged: the remaining
// regions' certificates renew with it.
func TestRemovingARegionKeepsTheValidationRecord(t *testing.T) {
	base := stackFile(t, "prod")
	before := mustPreview(t, "prod", base)
	name := child(DNSComponentName, "validation")
	old := before.named(tRecord, name)
	if old == nil {
		t.Fatalf("prod has no %s record", name)
	}
	variants := map[string]stackconfig.Raw{}
	for _, gone := range before.cfg.Regions {
		var rest []string
		for _, r := range before.cfg.Regions {
			if r != gone {
				rest = append(rest, `"`+r+`"`)
			}
		}
		raw := with(base, stackconfig.KeyRegions, "["+strings.Join(rest, ",")+"]")
		if gone == before.cfg.PrimaryRegion {
			raw = with(raw, stackconfig.KeyPrimaryRegion, strings.Trim(rest[0], `"`))
		}
		variants[gone] = raw
	}
	for gone, raw := range variants {
		t.Run("without "+gone, func(t *testing.T) {
			after := mustPreview(t, "prod", raw)
			now := after.named(tRecord, name)
			if now == nil {
				t.Fatalf("removing %s removes the validation record the other regions renew with", gone)
			}
			for _, k := range []string{"name", "type", "zoneId"} {
				if str(now.Inputs, k) != str(old.Inputs, k) {
					t.Errorf("removing %s changes the record's %s: %q → %q", gone, k, str(old.Inputs, k), str(now.Inputs, k))
				}
			}
			if !slices.Equal(strs(now.Inputs, "records"), strs(old.Inputs, "records")) {
				t.Errorf("removing %s changes the record's value", gone)
			}
			for _, r := range after.ofType(tRecord) {
				if strings.HasPrefix(str(r.Inputs, "name"), "_") && str(r.Inputs, "name") == str(old.Inputs, "name") && r.Name != name {
					t.Errorf("%s writes the shared validation record too", r.Name)
				}
			}
		})
	}
}

// The MRAP's name follows its buckets, not only its regions: a transformed bucket
// replaced under a new name (same region set) gives a new MRAP name, so the replacement
// MRAP can be created before the old one is deleted.
func TestBucketReplacementRenamesTheMRAP(t *testing.T) {
	raw := stackFile(t, "dev")
	before := mustPreview(t, "dev", raw)
	m := newMocks()
	bucket := child(CellName("ap-southeast-1"), "transformed")
	m.bucketNames[bucket] = bucket + "-replaced-bkt"
	after, err := previewWith(t, "dev", raw, m)
	if err != nil {
		t.Fatal(err)
	}
	name := func(d *deployment) string { return str(d.ofType(tMRAP)[0].Inputs, "details", "name") }
	if name(before) == name(after) {
		t.Errorf("replacing %s keeps the MRAP name %q: the new MRAP would clash with the old one", bucket, name(after))
	}
	if n := name(after); len(n) > mrapNameMax {
		t.Errorf("MRAP name %q is longer than %d", n, mrapNameMax)
	}
}

// Names AWS bounds stay within their limits for any valid stack name (Pulumi allows up
// to 100 characters: letters, digits, -, _ and .), and two long stacks sharing a
// beginning keep distinct names.
func TestLongStackNamesStayWithinLimits(t *testing.T) {
	stacks := []string{strings.Repeat("a", 100), strings.Repeat("a", 99) + "b", strings.Repeat("Prod_EU.", 12) + "x2z"}
	oacs := map[string]string{}
	for _, stack := range stacks {
		raw := with(stackFile(t, "prod"), stackconfig.KeyRateLimit, "1000")
		d := mustPreview(t, stack, raw)
		oac := d.ofType(tOAC)[0]
		n := str(oac.Inputs, "originAccessControlConfig", "name")
		if len(n) > oacNameMax {
			t.Errorf("stack %q: OAC name %q has %d characters, CloudFront allows %d", stack, n, len(n), oacNameMax)
		}
		if other, ok := oacs[n]; ok {
			t.Errorf("stacks %q and %q share the OAC name %q", stack, other, n)
		}
		oacs[n] = stack
		if n := str(d.ofType(tMRAP)[0].Inputs, "details", "name"); len(n) > mrapNameMax {
			t.Errorf("stack %q: MRAP name %q is too long", stack, n)
		}
		acl := d.ofType(tWebACL)[0]
		for _, m := range []string{str(acl.Inputs, "visibilityConfig", "metricName"), str(acl.Inputs, "rules", 0, "visibilityConfig", "metricName")} {
			if m == "" || len(m) > wafMetricMax {
				t.Errorf("stack %q: WAF metric name %q", stack, m)
			}
		}
	}
}

// With imgcells:rateLimit the distribution has one CLOUDFRONT-scope web ACL (the
// front's us-east-1 provider, checkPlacement) whose only rule blocks an IP past the
// limit over 5 minutes; without it there is none.
func checkWAF(t *testing.T, d *deployment) {
	acls := d.ofType(tWebACL)
	dist := d.ofType(tDistribution)[0]
	if d.cfg.RateLimit == 0 {
		if len(acls) != 0 || str(dist.Inputs, "webAclId") != "" {
			t.Errorf("rate limit off, but %d web ACLs and webAclId %q", len(acls), str(dist.Inputs, "webAclId"))
		}
		return
	}
	if len(acls) != 1 {
		t.Fatalf("rate limit %d, %d web ACLs", d.cfg.RateLimit, len(acls))
	}
	acl := acls[0]
	if str(acl.Inputs, "scope") != "CLOUDFRONT" || providerName(acl) != "aws-front" {
		t.Errorf("web ACL scope %q provider %q: CloudFront needs CLOUDFRONT in us-east-1", str(acl.Inputs, "scope"), providerName(acl))
	}
	if !get(acl.Inputs, "defaultAction", "allow").IsObject() {
		t.Errorf("web ACL default action %v, want allow", get(acl.Inputs, "defaultAction"))
	}
	rules := get(acl.Inputs, "rules").ArrayValue()
	rb := []any{"rules", 0, "statement", "rateBasedStatement"}
	if len(rules) != 1 || num(acl.Inputs, append(rb, "limit")...) != d.cfg.RateLimit ||
		str(acl.Inputs, append(rb, "aggregateKeyType")...) != "IP" || num(acl.Inputs, append(rb, "evaluationWindowSec")...) != 300 ||
		!get(acl.Inputs, "rules", 0, "action", "block").IsObject() {
		t.Errorf("web ACL rules %v, want one blocking rate rule of %d per IP per 5 minutes", get(acl.Inputs, "rules"), d.cfg.RateLimit)
	}
	if got, want := str(dist.Inputs, "webAclId"), str(acl.Outputs, "arn"); got != want || !strings.HasPrefix(got, "arn:aws:wafv2:us-east-1:") {
		t.Errorf("distribution webAclId %q, want the web ACL's ARN %q", got, want)
	}
}

// The stack exports each region's converter log group: the group the function logs
// to, which Pulumi created and named (not Lambda's /aws/lambda/<function>).
func checkOutputs(t *testing.T, d *deployment) {
	groups, ok := d.outputs["converterLogGroups"]
	if !ok {
		t.Fatalf("no converterLogGroups output in %v", d.outputs)
	}
	got := map[string]string{}
	switch g := groups.(type) {
	case map[string]string:
		got = g
	case map[string]any:
		for k, v := range g {
			got[k] = fmt.Sprint(v)
		}
	default:
		t.Fatalf("converterLogGroups is %T", groups)
	}
	for _, r := range d.cfg.Regions {
		fn := d.named(tFunction, child(CellName(r), "converter"))
		lg := d.named(tLogGroup, child(CellName(r), "converter-logs"))
		if fn == nil || lg == nil {
			t.Fatalf("%s: no converter or log group", r)
		}
		want := str(lg.Outputs, "name")
		if got[r] != want || str(fn.Inputs, "loggingConfig", "logGroup") != want {
			t.Errorf("%s: exported log group %q, function logs to %q, created %q", r, got[r], str(fn.Inputs, "loggingConfig", "logGroup"), want)
		}
	}
	if len(got) != len(d.cfg.Regions) {
		t.Errorf("converterLogGroups %v for regions %v", got, d.cfg.Regions)
	}
	// cmd/backfill finds the main source bucket and its region in the outputs.
	if d.outputs["primaryRegion"] != d.cfg.PrimaryRegion || d.outputs["primarySourceBucket"] !=
		str(d.named(tBucket, child(CellName(d.cfg.PrimaryRegion), "source")).Outputs, "bucket") {
		t.Errorf("primaryRegion %v primarySourceBucket %v", d.outputs["primaryRegion"], d.outputs["primarySourceBucket"])
	}
}

// A reservation the account may not have room for is announced at preview with the
// quota it needs and the command that shows it; none is made by default, in prod too.
func TestReservedConcurrencyNamesTheQuota(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		d := mustPreview(t, stack, stackFile(t, stack))
		if n := d.cfg.ConverterReservedConcurrency; n != 0 {
			t.Errorf("Pulumi.%s.yaml reserves %d, which fails on accounts whose quota is under %d", stack, n, stackconfig.QuotaNeeded(n))
		}
		if w := Warnings(d.cfg); len(w) != 0 {
			t.Errorf("%s warns %v", stack, w)
		}
	}
	cfg := mustPreview(t, "prod", with(stackFile(t, "prod"), stackconfig.KeyConverterReservedConcurrency, "100")).cfg
	w := strings.Join(Warnings(cfg), "\n")
	for _, want := range []string{"imgcells:converterReservedConcurrency", "at least 200", "aws lambda get-account-settings", "AccountLimit.ConcurrentExecutions"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
}
