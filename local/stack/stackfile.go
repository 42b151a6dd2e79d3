package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"imgcells/components"
)

// ReadStackFile reads the imgcells keys of a Pulumi stack file
// (Pulumi.dev.yaml) and validates them with the same parser `pulumi up`
// uses. Secret values are encrypted in the file and skipped: the local stack
// makes its own origin-verify secret.
func ReadStackFile(path string) (components.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return components.Config{}, fmt.Errorf("reading stack file: %w", err)
	}
	var file struct {
		Config map[string]yaml.Node `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return components.Config{}, fmt.Errorf("parsing %s: %w", path, err)
	}
	raw := components.Raw{}
	prefix := components.Namespace + ":"
	for name, node := range file.Config {
		key, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		switch node.Kind {
		case yaml.ScalarNode:
			raw[key] = node.Value
		case yaml.SequenceNode:
			var items []any
			if err := node.Decode(&items); err != nil {
				return components.Config{}, fmt.Errorf("%s: %s: %w", path, name, err)
			}
			js, err := json.Marshal(items)
			if err != nil {
				return components.Config{}, fmt.Errorf("%s: %s: %w", path, name, err)
			}
			raw[key] = string(js)
		case yaml.MappingNode:
			// {secure: …}: an encrypted secret, not readable here.
		}
	}
	cfg, err := components.ParsePublic(raw)
	if err != nil {
		return components.Config{}, fmt.Errorf("invalid configuration in %s:\n%w", path, err)
	}
	return cfg, nil
}

// FromComponents takes the parts of a stack's configuration that the local
// stack simulates: regions, the edge function's config and the converter's
// limits.
func FromComponents(c components.Config) Config {
	return Config{
		Regions:         append([]string(nil), c.Regions...),
		PrimaryRegion:   c.PrimaryRegion,
		Edge:            c.Edge,
		MaxSourceBytes:  c.MaxSourceBytes,
		MaxSourcePixels: c.MaxSourcePixels,
	}
}
