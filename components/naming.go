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

// MRAPName names the Multi-Region Access Point after the stack and the set of its
// buckets, each with its region (region → bucket name). Neither the regions nor the
// buckets of an MRAP can change after creation, so a new region set, or a transformed
// bucket replaced under a new name, must be a new MRAP; giving it a new name lets Pulumi
// create the replacement before it deletes the old one (no window without an origin,
// and no clash with the old name, which MRAP names must not share in an account). The
// name is lowercase letters, digits and hyphens, at most 50 characters, and the same for
// any order.
func MRAPName(stack string, buckets map[string]string) string {
	pairs := make([]string, 0, len(buckets))
	for _, region := range sortedKeys(buckets) {
		pairs = append(pairs, region+"="+buckets[region])
	}
	return hashedName("imgcells-"+dnsLabel(stack), strings.Join(pairs, ","), mrapNameMax)
}

// hashedName is prefix, cut so that "-" and 10 hex digits of the SHA-256 of what fit
// within maxLen characters after it.
func hashedName(prefix, what string, maxLen int) string {
	sum := sha256.Sum256([]byte(what))
	suffix := hex.EncodeToString(sum[:])[:10]
	if limit := maxLen - len(suffix) - 1; len(prefix) > limit {
		prefix = strings.TrimRight(prefix[:limit], "-")
	}
	return prefix + "-" + suffix
}

// boundedName is name when it has at most maxLen characters; otherwise its first
// characters and a hash of the whole, so two long names that share a beginning stay
// distinct.
func boundedName(name string, maxLen int) string {
	if len(name) <= maxLen {
		return name
	}
	return hashedName(name, name, maxLen)
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
