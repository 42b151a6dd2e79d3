package stackconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReadStackFile reads the imgcells keys of a Pulumi.<stack>.yaml into Raw, the way the
// Pulumi engine hands them to the program: strings as they are, numbers and booleans as
// text, lists as JSON. Encrypted ("secure:") values are left out: only the engine can
// decrypt them, so tools that read the file use ParsePublic.
func ReadStackFile(path string) (Raw, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading stack file: %w", err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parsing stack file %s: %w", path, err)
	}
	raw := Raw{}
	for k, v := range doc.Config {
		key, ok := strings.CutPrefix(k, Namespace+":")
		if !ok {
			continue
		}
		if m, isMap := v.(map[string]any); isMap && m["secure"] != nil {
			continue
		}
		switch v := v.(type) {
		case string:
			raw[key] = v
		case []any, map[string]any:
			j, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("stack file %s: key %s: %w", path, k, err)
			}
			raw[key] = string(j)
		default:
			raw[key] = fmt.Sprint(v)
		}
	}
	return raw, nil
}
