package stack

import (
	"fmt"

	"imgcells/components/stackconfig"
)

// ReadStackFile reads and validates the imgcells configuration of a Pulumi
// stack file (Pulumi.dev.yaml) with the same reader and parser the Pulumi
// program and cmd/edgerender use. Encrypted secrets are left out: the local
// stack makes its own origin-verify secret.
func ReadStackFile(path string) (stackconfig.Config, error) {
	raw, err := stackconfig.ReadStackFile(path)
	if err != nil {
		return stackconfig.Config{}, err
	}
	cfg, err := stackconfig.ParsePublic(raw)
	if err != nil {
		return stackconfig.Config{}, fmt.Errorf("invalid configuration in %s:\n%w", path, err)
	}
	return cfg, nil
}

// FromComponents takes the parts of a stack's configuration that the local
// stack simulates: regions, the edge function's config and the converter's
// limits and memory budget.
func FromComponents(c stackconfig.Config) Config {
	return Config{
		Regions:           append([]string(nil), c.Regions...),
		PrimaryRegion:     c.PrimaryRegion,
		Edge:              c.Edge,
		MaxSourceBytes:    c.MaxSourceBytes,
		MaxSourcePixels:   c.MaxSourcePixels,
		MaxFrames:         c.MaxFrames,
		ConverterMemoryMB: c.ConverterMemoryMB,
	}
}
