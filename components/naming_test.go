package components

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"imgcells/components/stackconfig"
)

func TestMRAPName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$`)
	dev := map[string]string{"us-east-1": "tr-use1", "ap-southeast-1": "tr-apse1"}
	with := func(m map[string]string, region, bucket string) map[string]string {
		out := maps.Clone(m)
		out[region] = bucket
		return out
	}
	a := MRAPName("dev", dev)
	if b := MRAPName("dev", with(dev, "eu-west-1", "tr-euw1")); a == b {
		t.Errorf("a new region set keeps the name %s", a)
	}
	if b := MRAPName("dev", with(dev, "ap-southeast-1", "tr-apse1-new")); a == b {
		t.Errorf("a replaced bucket keeps the name %s", a)
	}
	if b := MRAPName("dev", map[string]string{"us-east-1": "tr-apse1", "ap-southeast-1": "tr-use1"}); a == b {
		t.Errorf("swapping buckets between regions keeps the name %s", a)
	}
	if b := MRAPName("prod", dev); a == b {
		t.Errorf("two stacks share the name %s", a)
	}
	all := map[string]string{}
	for _, r := range stackconfig.DefaultRegions() {
		all[r] = "cell-" + r + "-transformed-" + strings.Repeat("x", 20)
	}
	for _, stack := range []string{"dev", "Prod_EU.2", strings.Repeat("very-long-stack-name-", 5)} {
		n := MRAPName(stack, all)
		if !valid.MatchString(n) || strings.Contains(n, "--") {
			t.Errorf("MRAPName(%q) = %q is not a valid MRAP name", stack, n)
		}
	}
}

func TestOACName(t *testing.T) {
	if got := OACName("imgcells-dev"); got != "imgcells-dev-mrap" {
		t.Errorf("short names are kept: %q", got)
	}
	long := "imgcells-" + strings.Repeat("a", 100)
	a, b := OACName(long), OACName(long+"b")
	if len(a) > oacNameMax || len(b) > oacNameMax || a == b {
		t.Errorf("long names %q, %q: want distinct, at most %d characters", a, b, oacNameMax)
	}
}

func TestMRAPPolicyNamesOnlyObjectsAndTheDistribution(t *testing.T) {
	const dist = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"
	var d PolicyDocument
	if err := json.Unmarshal([]byte(MRAPPolicy("111122223333", "mfzwi23gnjvgw.mrap", dist)), &d); err != nil {
		t.Fatal(err)
	}
	s := d.Statement[0]
	if !slices.Equal(s.Resource, []string{"arn:aws:s3::111122223333:accesspoint/mfzwi23gnjvgw.mrap/object/*"}) ||
		s.Condition["StringEquals"]["AWS:SourceArn"] != dist || s.Principal.(map[string]any)["Service"] != "cloudfront.amazonaws.com" {
		t.Errorf("policy %+v", d)
	}
	if got := MRAPObjectsARN("1", "abc"); got != "arn:aws:s3::1:accesspoint/abc.mrap/object/*" {
		t.Errorf("alias without .mrap: %s", got)
	}
}

func TestReplicationPolicyScopes(t *testing.T) {
	var d PolicyDocument
	if err := json.Unmarshal([]byte(ReplicationPolicy("arn:aws:s3:::src", []string{"arn:aws:s3:::a", "arn:aws:s3:::b"})), &d); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, s := range d.Statement {
		got[s.Sid] = s.Resource
	}
	want := map[string][]string{
		"ReadReplicationConfig": {"arn:aws:s3:::src"},
		"ReadSourceVersions":    {"arn:aws:s3:::src/*"},
		"WriteReplicas":         {"arn:aws:s3:::a/*", "arn:aws:s3:::b/*"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resources %v, want %v", got, want)
	}
}
