package stackconfig

import (
	"slices"
	"strings"
)

// defaultRegions are the commercial AWS regions enabled by default in every account: the
// only ones an S3 Multi-Region Access Point may span when CloudFront reaches it with
// origin access control.
var defaultRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
	"ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-southeast-1", "ap-southeast-2",
}

// DefaultRegions returns the regions imgcells:regions may list, as a new slice.
func DefaultRegions() []string { return slices.Clone(defaultRegions) }

// optInRegions exist but are disabled by default (launched after March 2019).
var optInRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2",
	"eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
}

// regions reads and checks imgcells:regions: at least one, known, not opt-in, no repeats.
func (p *parser) regions() []string {
	list, ok := p.list(KeyRegions)
	if !ok || len(list) == 0 {
		p.failf(KeyRegions, "is required: a list of AWS regions, e.g. [us-east-1, ap-southeast-1]; allowed: %s", strings.Join(defaultRegions, ", "))
		return nil
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(list))
	for _, r := range list {
		switch {
		case seen[r]:
			p.failf(KeyRegions, "%q is listed twice; each region gets exactly one cell", r)
			continue
		case slices.Contains(optInRegions, r):
			p.failf(KeyRegions, "%q is an opt-in region: CloudFront cannot reach a Multi-Region Access Point with buckets in opt-in regions; allowed: %s", r, strings.Join(defaultRegions, ", "))
		case !slices.Contains(defaultRegions, r):
			p.failf(KeyRegions, "%q is not a known AWS region; allowed: %s", r, strings.Join(defaultRegions, ", "))
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}

// primary reads imgcells:primaryRegion, which must be one of regions; with a single
// region it defaults to that region.
func (p *parser) primary(regions []string) string {
	def := ""
	if len(regions) == 1 {
		def = regions[0]
	}
	r := p.str(KeyPrimaryRegion, def)
	switch {
	case r == "":
		p.failf(KeyPrimaryRegion, "is required with more than one region: the region of the main source bucket, one of %v", regions)
	case len(regions) > 0 && !slices.Contains(regions, r):
		p.failf(KeyPrimaryRegion, "%q is not allowed: it must be one of imgcells:regions %v", r, regions)
	}
	return r
}
