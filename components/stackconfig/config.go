// Package stackconfig is the imgcells stack configuration: its keys, the validated
// Config, the parser that checks raw values, and the reader of Pulumi.<stack>.yaml files.
// It imports no Pulumi package, so tools that only need a stack's configuration (the
// local stack, cmd/edgerender) build without the Pulumi providers; components.LoadConfig
// is the one place that reads the running stack's Pulumi config and hands it to Parse.
package stackconfig

import (
	"errors"
	"fmt"
	"slices"

	"imgcells/contract"
	"imgcells/edge"
)

// Namespace is the Pulumi config namespace of every key this program reads.
const Namespace = "imgcells"

// Config is the validated configuration of one stack. Only components.LoadConfig reads
// Pulumi config; everything else receives a Config.
type Config struct {
	Regions       []string // every region gets a cell; order as configured
	PrimaryRegion string   // owns the main source bucket; one of Regions
	Domain        string   // CDN hostname; "" for the CloudFront default domain
	HostedZoneID  string   // Route 53 zone of Domain; set exactly when Domain is

	Edge edge.Config // widths, aspect ratios, qualities, default quality, signing, AVIF

	MaxSourceBytes               int64
	MaxSourcePixels              int64
	MaxFrames                    int
	ConverterMemoryMB            int
	ConverterReservedConcurrency int // 0: no reservation
	APIThrottleRate              int // steady requests per second each region's converter API accepts
	APIThrottleBurst             int // requests each region's converter API accepts at once
	RateLimit                    int // WAF requests per 5 minutes per IP at the CDN; 0: no web ACL
	PriceClass                   string
	TransformedExpiryDays        int
	SourceVersionExpiryDays      int // days an overwritten or deleted original is kept
	LogRetentionDays             int
	ReplicationTimeControl       bool
	OriginVerifySecret           string // plain here; wrapped as a Pulumi secret wherever it is used
	ConverterZip                 string // "": build the zip from source when missing or stale
	Monitoring                   Monitoring
}

// Raw holds config values as Pulumi hands them to a program: key (without namespace) →
// string, lists as JSON arrays. A key that is absent takes its default.
type Raw map[string]string

// Key names, shared by components.LoadConfig, the stack files and the docs.
const (
	KeyRegions                      = "regions"
	KeyPrimaryRegion                = "primaryRegion"
	KeyDomain                       = "domain"
	KeyHostedZoneID                 = "hostedZoneId"
	KeyWidths                       = "widths"
	KeyAspectRatios                 = "aspectRatios"
	KeyQualities                    = "qualities"
	KeyDefaultQuality               = "defaultQuality"
	KeySigning                      = "signing"
	KeyAVIF                         = "avif"
	KeyMaxSourceBytes               = "maxSourceBytes"
	KeyMaxSourcePixels              = "maxSourcePixels"
	KeyMaxFrames                    = "maxFrames"
	KeyConverterMemoryMB            = "converterMemoryMb"
	KeyConverterReservedConcurrency = "converterReservedConcurrency"
	KeyAPIThrottleRate              = "apiThrottleRate"
	KeyAPIThrottleBurst             = "apiThrottleBurst"
	KeyRateLimit                    = "rateLimit"
	KeyPriceClass                   = "priceClass"
	KeyTransformedExpiryDays        = "transformedExpiryDays"
	KeySourceVersionExpiryDays      = "sourceVersionExpiryDays"
	KeyLogRetentionDays             = "logRetentionDays"
	KeyReplicationTimeControl       = "replicationTimeControl"
	KeyOriginVerifySecret           = "originVerifySecret"
	KeyConverterZip                 = "converterZip"
)

// Keys lists every key the program reads, in documentation order.
var Keys = []string{
	KeyRegions, KeyPrimaryRegion, KeyDomain, KeyHostedZoneID, KeyWidths, KeyAspectRatios, KeyQualities,
	KeyDefaultQuality, KeySigning, KeyAVIF, KeyMaxSourceBytes, KeyMaxSourcePixels, KeyMaxFrames,
	KeyConverterMemoryMB, KeyConverterReservedConcurrency, KeyAPIThrottleRate, KeyAPIThrottleBurst,
	KeyRateLimit, KeyPriceClass,
	KeyTransformedExpiryDays, KeySourceVersionExpiryDays, KeyLogRetentionDays, KeyReplicationTimeControl,
	KeyOriginVerifySecret, KeyConverterZip,
	KeyAlarmEmail, KeyCDNAdditionalMetrics, KeyAccessLogs, KeyAlarmErrorRatePercent, KeyAlarmThrottles,
	KeyAlarmDurationPercent, KeyAlarmCDN5xxRatePercent, KeyAlarmAlreadyStoredPercent,
}

// ConfigError is one invalid key: which key, and what is wrong or allowed.
type ConfigError struct {
	Key     string
	Problem string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s:%s: %s", Namespace, e.Key, e.Problem)
}

// SecretCommand is the exact command that sets a fresh origin-verify secret.
const SecretCommand = `pulumi config set --secret imgcells:originVerifySecret "$(openssl rand -hex 32)"`

// Parse validates raw values into a Config, the origin-verify secret included.
func Parse(raw Raw) (Config, error) { return parse(raw, true) }

// ParsePublic validates everything but the origin-verify secret, for tools that read a
// stack file without deploying (its value is encrypted there, or set later).
func ParsePublic(raw Raw) (Config, error) { return parse(raw, false) }

func parse(raw Raw, needSecret bool) (Config, error) {
	p := &parser{raw: raw}
	for k := range raw {
		if !isKey(k) {
			p.failf(k, "unknown key; the keys are %v", Keys)
		}
	}
	def := edge.DefaultConfig()
	c := Config{
		Regions:            p.regions(),
		Domain:             p.domain(),
		HostedZoneID:       p.str(KeyHostedZoneID, ""),
		Edge:               edge.Config{Signing: p.boolean(KeySigning, false), AVIF: p.boolean(KeyAVIF, false)},
		PriceClass:         p.oneOf(KeyPriceClass, "PriceClass_100", priceClasses),
		OriginVerifySecret: p.str(KeyOriginVerifySecret, ""),
		ConverterZip:       p.str(KeyConverterZip, ""),

		MaxSourceBytes:               int64(p.integer(KeyMaxSourceBytes, int(contract.DefaultMaxSourceBytes), 1024, 512<<20)),
		MaxSourcePixels:              int64(p.integer(KeyMaxSourcePixels, int(contract.DefaultMaxSourcePixels), 1, 500_000_000)),
		MaxFrames:                    p.integer(KeyMaxFrames, contract.DefaultMaxFrames, 1, 10_000),
		ConverterMemoryMB:            p.integer(KeyConverterMemoryMB, 2048, 128, 10240),
		ConverterReservedConcurrency: p.integer(KeyConverterReservedConcurrency, 0, 0, 10000),
		APIThrottleRate:              p.integer(KeyAPIThrottleRate, DefaultAPIThrottleRate, 1, MaxAPIThrottleRate),
		APIThrottleBurst:             p.integer(KeyAPIThrottleBurst, DefaultAPIThrottleBurst, 1, MaxAPIThrottleBurst),
		RateLimit:                    p.rateLimit(),
		TransformedExpiryDays:        p.integer(KeyTransformedExpiryDays, 30, 1, 3650),
		SourceVersionExpiryDays:      p.integer(KeySourceVersionExpiryDays, 30, 1, 3650),
		LogRetentionDays:             p.retention(14),
		ReplicationTimeControl:       p.boolean(KeyReplicationTimeControl, false),
		Monitoring:                   p.monitoring(),
	}
	c.Edge.Widths = p.ascending(KeyWidths, def.Widths, 1, maxDimension, edge.MaxWidths)
	c.Edge.AspectRatios = p.aspectRatios(def.AspectRatios)
	c.Edge.Qualities = p.ascending(KeyQualities, def.Qualities, 1, 100, edge.MaxQualities)
	c.Edge.DefaultQuality = p.integer(KeyDefaultQuality, def.DefaultQuality, 1, 100)
	c.PrimaryRegion = p.primary(c.Regions)
	p.crossChecks(&c, needSecret)
	if err := errors.Join(p.errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

func isKey(k string) bool {
	return slices.Contains(Keys, k)
}
