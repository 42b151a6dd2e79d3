package stackconfig

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The defaults Pulumi.yaml declares are the ones Parse applies, so `pulumi config` and
// the program agree on every unset key.
func TestProjectDefaultsMatchParse(t *testing.T) {
	b, err := os.ReadFile("../../Pulumi.yaml")
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
			j, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("Pulumi.yaml: %s: %v", k, err)
			}
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
