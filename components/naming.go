package components

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Names of the two component types, as Pulumi records them.
const (
	CellType  = "imgcells:index:RegionalImageCell"
	FrontType = "imgcells:index:GlobalFront"
)

// CellName is the component name of the cell in region: "cell-<region>".
func CellName(region string) string { return "cell-" + region }

// FrontName is the component name of the stack's single GlobalFront.
const FrontName = "front"

// child names a component's child "<component>-<role>", the house rule that keeps every
// resource name unique per stack and readable in `pulumi preview`.
func child(component, role string) string { return component + "-" + role }

// mrapNameMax is S3's limit on a Multi-Region Access Point name.
const mrapNameMax = 50

// MRAPName names the Multi-Region Access Point after the stack and the sorted set of its
// regions. The region list of an MRAP cannot change after creation, so a new region set
// must be a new MRAP; giving it a new name lets Pulumi create the replacement before it
// deletes the old one (no window without an origin). The name is lowercase letters,
// digits and hyphens, at most 50 characters, and the same for any order of regions.
func MRAPName(stack string, regions []string) string {
	set := slices.Clone(regions)
	slices.Sort(set)
	set = slices.Compact(set)
	sum := sha256.Sum256([]byte(strings.Join(set, ",")))
	suffix := hex.EncodeToString(sum[:])[:10]
	prefix := "imgcells-" + dnsLabel(stack)
	if limit := mrapNameMax - len(suffix) - 1; len(prefix) > limit {
		prefix = strings.TrimRight(prefix[:limit], "-")
	}
	return prefix + "-" + suffix
}

// dnsLabel lowercases s and turns every character outside [a-z0-9] into a hyphen,
// collapsing runs and trimming hyphens at both ends.
func dnsLabel(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ConvertDomain is the latency-routed name of the regional converter APIs.
func ConvertDomain(domain string) string { return "convert." + domain }

// sortedKeys returns a map's keys in order, so resources are declared deterministically.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
