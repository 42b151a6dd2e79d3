package components

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestMRAPName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$`)
	a := MRAPName("dev", []string{"us-east-1", "ap-southeast-1"})
	if b := MRAPName("dev", []string{"ap-southeast-1", "us-east-1"}); a != b {
		t.Errorf("order changes the name: %s vs %s", a, b)
	}
	if b := MRAPName("dev", []string{"us-east-1", "ap-southeast-1", "eu-west-1"}); a == b {
		t.Errorf("a new region set keeps the name %s", a)
	}
	if b := MRAPName("prod", []string{"us-east-1", "ap-southeast-1"}); a == b {
		t.Errorf("two stacks share the name %s", a)
	}
	for _, stack := range []string{"dev", "Prod_EU.2", strings.Repeat("very-long-stack-name-", 5)} {
		n := MRAPName(stack, defaultRegions)
		if !valid.MatchString(n) || strings.Contains(n, "--") {
			t.Errorf("MRAPName(%q) = %q is not a valid MRAP name", stack, n)
		}
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

// The defaults Pulumi.yaml declares are the ones Parse applies, so `pulumi config` and
// the program agree on every unset key.
func TestProjectDefaultsMatchParse(t *testing.T) {
	b, err := os.ReadFile("../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Name    string `yaml:"name"`
		Runtime string `yaml:"runtime"`
		Config  map[string]struct {
			Type    string `yaml:"type"`
			Default any    `yaml:"default"`
			Desc    string `yaml:"description"`
		} `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &project); err != nil {
		t.Fatal(err)
	}
	if project.Name != Namespace || project.Runtime != "go" {
		t.Errorf("project %q runtime %q", project.Name, project.Runtime)
	}
	declared := Raw{}
	for k, c := range project.Config {
		if !isKey(k) {
			t.Errorf("Pulumi.yaml declares %s, which the program does not read", k)
		}
		if c.Desc == "" {
			t.Errorf("Pulumi.yaml: %s has no description", k)
		}
		switch v := c.Default.(type) {
		case nil:
		case string:
			declared[k] = v
		case []any:
			j, _ := json.Marshal(v)
			declared[k] = string(j)
		default:
			declared[k] = strings.TrimSpace(yamlScalar(v))
		}
	}
	for _, k := range Keys {
		if _, ok := project.Config[k]; !ok && k != KeyOriginVerifySecret {
			t.Errorf("Pulumi.yaml does not declare %s", k)
		}
	}
	base := Raw{KeyRegions: `["us-east-1"]`, KeyOriginVerifySecret: testSecret}
	fromYAML, err := Parse(with(base, flatten(declared)...))
	if err != nil {
		t.Fatalf("Pulumi.yaml defaults do not validate: %v", err)
	}
	fromGo, err := Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromYAML, fromGo) {
		t.Errorf("Pulumi.yaml defaults give\n%+v\nParse defaults give\n%+v", fromYAML, fromGo)
	}
}

func yamlScalar(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

func flatten(r Raw) []string {
	var kv []string
	for k, v := range r {
		kv = append(kv, k, v)
	}
	return kv
}
