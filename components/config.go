package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components/stackconfig"
)

// The stack configuration (its keys, parser and stack-file reader) lives in stackconfig,
// which builds without Pulumi so the local stack and cmd/edgerender can read it; these
// aliases are the names the rest of this package uses.
type (
	Config = stackconfig.Config
	Raw    = stackconfig.Raw
)

const (
	Namespace     = stackconfig.Namespace
	SecretCommand = stackconfig.SecretCommand

	KeyRegions                      = stackconfig.KeyRegions
	KeyPrimaryRegion                = stackconfig.KeyPrimaryRegion
	KeyDomain                       = stackconfig.KeyDomain
	KeyHostedZoneID                 = stackconfig.KeyHostedZoneID
	KeyWidths                       = stackconfig.KeyWidths
	KeyQualities                    = stackconfig.KeyQualities
	KeyDefaultQuality               = stackconfig.KeyDefaultQuality
	KeySigning                      = stackconfig.KeySigning
	KeyAVIF                         = stackconfig.KeyAVIF
	KeyMaxSourceBytes               = stackconfig.KeyMaxSourceBytes
	KeyMaxSourcePixels              = stackconfig.KeyMaxSourcePixels
	KeyConverterMemoryMB            = stackconfig.KeyConverterMemoryMB
	KeyConverterReservedConcurrency = stackconfig.KeyConverterReservedConcurrency
	KeyPriceClass                   = stackconfig.KeyPriceClass
	KeyTransformedExpiryDays        = stackconfig.KeyTransformedExpiryDays
	KeyLogRetentionDays             = stackconfig.KeyLogRetentionDays
	KeyReplicationTimeControl       = stackconfig.KeyReplicationTimeControl
	KeyOriginVerifySecret           = stackconfig.KeyOriginVerifySecret
	KeyConverterZip                 = stackconfig.KeyConverterZip
)

// LoadConfig reads the imgcells config of the running stack and validates it once.
// Every problem is reported (joined), each naming its key, so a preview fails early
// with everything to fix. It is the only reader of Pulumi config.
func LoadConfig(ctx *pulumi.Context) (Config, error) {
	raw := Raw{}
	for _, k := range stackconfig.Keys {
		if v, ok := ctx.GetConfig(Namespace + ":" + k); ok {
			raw[k] = v
		}
	}
	cfg, err := stackconfig.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("invalid configuration of stack %s:\n%w", ctx.Stack(), err)
	}
	return cfg, nil
}
