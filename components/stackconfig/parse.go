package stackconfig

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"imgcells/contract"
	"imgcells/edge"
)

const maxDimension = contract.MaxDimension

var priceClasses = []string{"PriceClass_100", "PriceClass_200", "PriceClass_All"}

// logRetentions are the values CloudWatch Logs accepts for a log group's retention.
var logRetentions = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
	1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	zoneRE   = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
)

// parser reads raw values one key at a time and collects every problem.
type parser struct {
	raw  Raw
	errs []error
}

func (p *parser) failf(key, format string, args ...any) {
	p.errs = append(p.errs, &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)})
}

func (p *parser) str(key, def string) string {
	if v := strings.TrimSpace(p.raw[key]); v != "" {
		return v
	}
	return def // unset and empty mean the same: Pulumi.yaml declares "" defaults
}

func (p *parser) integer(key string, def, lo, hi int) int {
	v, ok := p.raw[key]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		p.failf(key, "%q is not allowed: a whole number from %d to %d", v, lo, hi)
		return def
	}
	return n
}

func (p *parser) boolean(key string, def bool) bool { //nolint:unparam // every boolean key defaults to false today; the parameter keeps a default visible at each call
	v, ok := p.raw[key]
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		p.failf(key, "%q is not allowed: true or false", v)
		return def
	}
	return b
}

func (p *parser) oneOf(key, def string, allowed []string) string {
	v := p.str(key, def)
	if !slices.Contains(allowed, v) {
		p.failf(key, "%q is not allowed: one of %s", v, strings.Join(allowed, ", "))
		return def
	}
	return v
}

// list reads a list value: a JSON array (how Pulumi passes a YAML list) or a
// comma-separated string (what `pulumi config set key a,b` stores).
func (p *parser) list(key string) ([]string, bool) {
	v, ok := p.raw[key]
	if !ok {
		return nil, false
	}
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		var items []any
		if err := json.Unmarshal([]byte(v), &items); err != nil {
			p.failf(key, "%q is not a list: %v", v, err)
			return nil, true
		}
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = strings.TrimSpace(fmt.Sprint(it))
		}
		return out, true
	}
	if v == "" {
		return nil, true
	}
	out := strings.Split(v, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out, true
}

// ascending reads a strictly ascending list of whole numbers in [lo, hi].
func (p *parser) ascending(key string, def []int, lo, hi, maxLen int) []int {
	items, ok := p.list(key)
	if !ok {
		return slices.Clone(def)
	}
	if len(items) == 0 || len(items) > maxLen {
		p.failf(key, "has %d values; allowed: 1 to %d whole numbers from %d to %d, ascending", len(items), maxLen, lo, hi)
		return slices.Clone(def)
	}
	out := make([]int, 0, len(items))
	for i, it := range items {
		n, err := strconv.Atoi(it)
		if err != nil || n < lo || n > hi {
			p.failf(key, "value %q is not allowed: whole numbers from %d to %d", it, lo, hi)
			return slices.Clone(def)
		}
		if i > 0 && n <= out[i-1] {
			p.failf(key, "must be strictly ascending with no repeats: %d comes after %d", n, out[i-1])
			return slices.Clone(def)
		}
		out = append(out, n)
	}
	return out
}

// aspectRatios reads a list of "W:H" ratios. Quote them in YAML: a YAML 1.1
// reader takes a bare 16:9 for the base-60 number 969.
func (p *parser) aspectRatios(def []edge.AspectRatio) []edge.AspectRatio {
	items, ok := p.list(KeyAspectRatios)
	if !ok {
		return slices.Clone(def)
	}
	out := make([]edge.AspectRatio, 0, len(items))
	for _, it := range items {
		r, err := edge.ParseAspectRatio(it)
		if err != nil {
			p.failf(KeyAspectRatios, "%v; allowed: ratios W:H, quoted in YAML (\"16:9\")", err)
			return slices.Clone(def)
		}
		out = append(out, r)
	}
	if err := edge.ValidateAspectRatios(out); err != nil {
		p.failf(KeyAspectRatios, "%v", err)
		return slices.Clone(def)
	}
	return out
}

func (p *parser) domain() string {
	d := strings.TrimSuffix(p.str(KeyDomain, ""), ".")
	if d != "" && (len(d) > 240 || !domainRE.MatchString(d)) {
		p.failf(KeyDomain, "%q is not allowed: a lowercase DNS name such as img.example.com, or unset for the CloudFront domain", d)
		return ""
	}
	return d
}

func (p *parser) retention(def int) int {
	n := p.integer(KeyLogRetentionDays, def, 1, 3653)
	if !slices.Contains(logRetentions, n) {
		p.failf(KeyLogRetentionDays, "%d is not allowed: one of %v (what CloudWatch Logs accepts)", n, logRetentions)
		return def
	}
	return n
}

// crossChecks are the rules that involve more than one key.
func (p *parser) crossChecks(c *Config, needSecret bool) {
	if c.Domain != "" && c.HostedZoneID == "" {
		p.failf(KeyHostedZoneID, "is required when imgcells:domain is set (%s): the Route 53 hosted zone id (Z…) that holds it", c.Domain)
	}
	if c.HostedZoneID != "" && c.Domain == "" {
		p.failf(KeyDomain, "is required when imgcells:hostedZoneId is set: the CDN hostname in that zone")
	}
	if c.HostedZoneID != "" && !zoneRE.MatchString(c.HostedZoneID) {
		p.failf(KeyHostedZoneID, "%q is not allowed: a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ", c.HostedZoneID)
	}
	if !slices.Contains(c.Edge.Qualities, c.Edge.DefaultQuality) {
		p.failf(KeyDefaultQuality, "%d is not allowed: one of imgcells:qualities %v", c.Edge.DefaultQuality, c.Edge.Qualities)
	}
	// The converter's budget (contract.Budget) must hold an ordinary photo
	// at the pixel limit: otherwise images within the limit would be
	// refused for want of memory.
	b := contract.Budget{MemoryMB: c.ConverterMemoryMB, Timeout: contract.ConverterTimeout}
	if err := b.Validate(); err != nil {
		p.failf(KeyConverterMemoryMB, "%d is not allowed: %v", c.ConverterMemoryMB, err)
	} else if most := b.MaxOrdinaryPixels(); c.MaxSourcePixels > most {
		p.failf(KeyMaxSourcePixels, "%d pixels need about %d MB to convert (%d bytes a pixel), more than imgcells:converterMemoryMb (%d MB) leaves after the converter's own %d MB; at most %d pixels fit, or raise the memory",
			c.MaxSourcePixels, c.MaxSourcePixels*contract.OrdinaryPeakBytesPerPixel>>20, contract.OrdinaryPeakBytesPerPixel,
			c.ConverterMemoryMB, contract.ReservedMB, most)
	}
	if needSecret {
		switch s := c.OriginVerifySecret; {
		case s == "":
			p.failf(KeyOriginVerifySecret, "is not set: it is the secret CloudFront sends in %s so only it can call the converter; set one with:\n    %s", contract.OriginVerifyHeader, SecretCommand)
		case len(s) < contract.MinOriginSecretLen:
			p.failf(KeyOriginVerifySecret, "is %d characters; allowed: at least %d; set a new one with:\n    %s", len(s), contract.MinOriginSecretLen, SecretCommand)
		}
	}
	if c.ConverterZip != "" && !strings.HasSuffix(c.ConverterZip, ".zip") {
		p.failf(KeyConverterZip, "%q is not allowed: the path of a prebuilt converter .zip, or unset to build it", c.ConverterZip)
	}
}
