package components

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"imgcells/components/stackconfig"
)

type stackCase struct {
	stack string
	raw   stackconfig.Raw
}

func stackFile(t *testing.T, stack string) stackconfig.Raw {
	t.Helper()
	raw, err := stackconfig.ReadStackFile(filepath.Join("..", "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	raw[stackconfig.KeyOriginVerifySecret] = testSecret // set with `pulumi config set --secret` in real stacks
	return raw
}

func stackCases(t *testing.T) []stackCase {
	return []stackCase{
		{"dev", stackFile(t, "dev")},
		{"prod", stackFile(t, "prod")},
		{"one", stackconfig.Raw{stackconfig.KeyRegions: `["eu-west-1"]`, stackconfig.KeyOriginVerifySecret: testSecret}},
		{"two", stackconfig.Raw{stackconfig.KeyRegions: `["us-west-2","eu-central-1"]`, stackconfig.KeyPrimaryRegion: "eu-central-1",
			stackconfig.KeyOriginVerifySecret: testSecret, stackconfig.KeySigning: "true"}},
		{"four", stackconfig.Raw{stackconfig.KeyRegions: `["us-east-1","eu-west-1","ap-southeast-1","sa-east-1"]`, stackconfig.KeyPrimaryRegion: "eu-west-1",
			stackconfig.KeyDomain: "img.example.org", stackconfig.KeyHostedZoneID: "Z0ABCDEF", stackconfig.KeyOriginVerifySecret: testSecret,
			stackconfig.KeyReplicationTimeControl: "true"}},
	}
}

func TestDeployInvariants(t *testing.T) {
	for _, sc := range stackCases(t) {
		t.Run(sc.stack, func(t *testing.T) {
			d := mustPreview(t, sc.stack, sc.raw)
			for name, check := range map[string]func(*testing.T, *deployment){
				"cells":       checkCells,
				"placement":   checkPlacement,
				"buckets":     checkBuckets,
				"replication": checkReplication,
				"iam":         checkIAMScoped,
				"converter":   checkConverter,
				"purge":       checkPurge,
				"api":         checkAPI,
				"cdn":         checkCDN,
				"mrap":        checkMRAP,
				"dns":         checkDNS,
				"validation":  checkValidationRecords,
				"waf":         checkWAF,
				"outputs":     checkOutputs,
				"monitoring":  checkMonitoring,
				"dashboard":   checkDashboard,
			} {
				t.Run(name, func(t *testing.T) { check(t, d) })
			}
		})
	}
}

// One cell per configured region, named after it, and one front.
func checkCells(t *testing.T, d *deployment) {
	var got, want []string
	for _, c := range d.ofType(CellType) {
		got = append(got, c.Name)
	}
	for _, r := range d.cfg.Regions {
		want = append(want, CellName(r))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("cells %v, want %v", got, want)
	}
	if n := len(d.ofType(FrontType)); n != 1 {
		t.Errorf("%d fronts", n)
	}
}

// Every resource but the providers belongs to a component, is named after it, and a
// cell's resources use its region's provider; the front's and the convert DNS's use
// the us-east-1 ones.
func checkPlacement(t *testing.T, d *deployment) {
	for _, r := range d.resources {
		isComponent := r.Type == CellType || r.Type == FrontType || r.Type == DNSType
		if strings.HasPrefix(r.Type, "pulumi:providers:") || isComponent {
			if isComponent && r.Parent != "" && d.parent(r) != nil {
				t.Errorf("component %s is nested in %s", r.Name, d.parent(r).Name)
			}
			continue
		}
		comp := d.component(r)
		if comp == nil {
			t.Errorf("%s %s belongs to no component", r.Type, r.Name)
			continue
		}
		if !strings.HasPrefix(r.Name, comp.Name+"-") {
			t.Errorf("%s %s is not named <component>-<role> under %s", r.Type, r.Name, comp.Name)
		}
		want := "aws-front"
		if strings.HasPrefix(r.Type, "aws-native:") {
			want = "aws-native-front"
		}
		if comp.Type == CellType {
			want = "aws-" + strings.TrimPrefix(comp.Name, "cell-")
		}
		if got := providerName(r); got != want {
			t.Errorf("%s %s uses provider %q, want %q", r.Type, r.Name, got, want)
		}
	}
}

// Every bucket is private, encrypted, versioned and TLS-only; transformed buckets expire.
func checkBuckets(t *testing.T, d *deployment) {
	buckets := d.ofType(tBucket)
	if want := 2 * len(d.cfg.Regions); len(buckets) != want {
		t.Errorf("%d buckets, want %d", len(buckets), want)
	}
	about := func(typ, bucketID string) []*recorded {
		var out []*recorded
		for _, r := range d.ofType(typ) {
			if str(r.Inputs, "bucket") == bucketID {
				out = append(out, r)
			}
		}
		return out
	}
	for _, b := range buckets {
		id := str(b.Outputs, "bucket")
		blocks := about(tBlock, id)
		if len(blocks) != 1 {
			t.Errorf("bucket %s has %d public access blocks", b.Name, len(blocks))
		}
		for _, bl := range blocks {
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				if !boolean(bl.Inputs, k) {
					t.Errorf("bucket %s: %s off", b.Name, k)
				}
			}
		}
		enc := about(tEncryption, id)
		if len(enc) != 1 || str(enc[0].Inputs, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm") == "" {
			t.Errorf("bucket %s is not encrypted by default", b.Name)
		}
		if v := about(tVersioning, id); len(v) != 1 || str(v[0].Inputs, "versioningConfiguration", "status") != "Enabled" {
			t.Errorf("bucket %s is not versioned", b.Name)
		}
		pols := about(tBucketPolicy, id)
		if len(pols) != 1 {
			t.Fatalf("bucket %s has %d policies", b.Name, len(pols))
		}
		tls := false
		for _, s := range policyDoc(t, pols[0]).Statement {
			if s.Effect == "Allow" && s.Principal == "*" {
				t.Errorf("bucket %s allows everyone: %+v", b.Name, s)
			}
			if s.Effect == "Deny" && s.Principal == "*" && slices.Contains(s.Action, "s3:*") &&
				s.Condition["Bool"]["aws:SecureTransport"] == "false" && slices.Contains(s.Resource, str(b.Outputs, "arn")+"/*") {
				tls = true
			}
		}
		if !tls {
			t.Errorf("bucket %s policy does not deny plain HTTP", b.Name)
		}
		if primary := b.Name == child(CellName(d.cfg.PrimaryRegion), "source"); primary && boolean(b.Inputs, "forceDestroy") {
			t.Errorf("the main source bucket %s may be destroyed with its originals", b.Name)
		}
		exp := about(tLifecycle, id)
		if strings.HasSuffix(b.Name, "-transformed") {
			if len(exp) != 1 || num(exp[0].Inputs, "rules", 0, "expiration", "days") != d.cfg.TransformedExpiryDays {
				t.Errorf("transformed bucket %s does not expire after %d days", b.Name, d.cfg.TransformedExpiryDays)
			}
		} else {
			checkSourceLifecycle(t, d, b, exp)
		}
	}
}

// Replication: the main source bucket to every replica, each transformed bucket to every
// other; both ends versioned; RTC on the source rules when configured, never on the
// transformed ones (a regenerable cache).
func checkReplication(t *testing.T, d *deployment) {
	n := len(d.cfg.Regions)
	versioned := map[string]bool{}
	for _, v := range d.ofType(tVersioning) {
		if str(v.Inputs, "versioningConfiguration", "status") == "Enabled" {
			versioned["arn:aws:s3:::"+str(v.Inputs, "bucket")] = true
		}
	}
	srcRules, trRules := 0, 0
	for _, rc := range d.ofType(tReplication) {
		if !versioned["arn:aws:s3:::"+str(rc.Inputs, "bucket")] {
			t.Errorf("%s replicates an unversioned bucket", rc.Name)
		}
		rules := get(rc.Inputs, "rules").ArrayValue()
		for i := range rules {
			dest := str(rc.Inputs, "rules", i, "destination", "bucket")
			if !versioned[dest] {
				t.Errorf("%s replicates to unversioned %s", rc.Name, dest)
			}
			wantRTC := d.cfg.ReplicationTimeControl && strings.HasSuffix(rc.Name, "-source-replication")
			if rtc := str(rc.Inputs, "rules", i, "destination", "replicationTime", "status") == "Enabled"; rtc != wantRTC {
				t.Errorf("%s rule %d: RTC %v, want %v (configured %v; source rules only)", rc.Name, i, rtc, wantRTC, d.cfg.ReplicationTimeControl)
			}
			if metrics := str(rc.Inputs, "rules", i, "destination", "metrics", "status") == "Enabled"; metrics != wantRTC {
				t.Errorf("%s rule %d: replication metrics %v, want them exactly with RTC (%v)", rc.Name, i, metrics, wantRTC)
			}
			if str(rc.Inputs, "rules", i, "status") != "Enabled" {
				t.Errorf("%s rule %d disabled", rc.Name, i)
			}
			// Deleting an original deletes its replicas; a variant's copies
			// are each deleted by the purge.
			wantMarkers := "Disabled"
			if strings.HasSuffix(rc.Name, "-source-replication") {
				wantMarkers = "Enabled"
			}
			if got := str(rc.Inputs, "rules", i, "deleteMarkerReplication", "status"); got != wantMarkers {
				t.Errorf("%s rule %d: delete-marker replication %q, want %q", rc.Name, i, got, wantMarkers)
			}
		}
		switch {
		case strings.HasSuffix(rc.Name, "-source-replication"):
			if rc.Name != child(CellName(d.cfg.PrimaryRegion), "source-replication") {
				t.Errorf("source replication from a replica: %s", rc.Name)
			}
			srcRules += len(rules)
		case strings.HasSuffix(rc.Name, "-transformed-replication"):
			trRules += len(rules)
		}
	}
	if srcRules != n-1 || trRules != n*(n-1) {
		t.Errorf("replication rules: source %d (want %d), transformed %d (want %d)", srcRules, n-1, trRules, n*(n-1))
	}
}

// Every IAM statement names its resources: no "*", no wildcard but a trailing /* or :*
// after a named ARN.
func checkIAMScoped(t *testing.T, d *deployment) {
	for _, rp := range d.ofType(tRolePolicy) {
		for _, s := range policyDoc(t, rp).Statement {
			if len(s.Resource) == 0 {
				t.Errorf("%s: statement %s has no resource", rp.Name, s.Sid)
			}
			for _, res := range s.Resource {
				base := strings.TrimSuffix(strings.TrimSuffix(res, "/*"), ":*")
				if !strings.HasPrefix(res, "arn:aws:") || strings.Contains(base, "*") || strings.HasSuffix(base, ":") || strings.HasSuffix(base, "/") {
					t.Errorf("%s: statement %s grants %q, not a named ARN", rp.Name, s.Sid, res)
				}
			}
			for _, a := range s.Action {
				if strings.HasSuffix(a, ":*") || a == "*" {
					t.Errorf("%s: statement %s grants every action %q", rp.Name, s.Sid, a)
				}
			}
		}
	}
}
