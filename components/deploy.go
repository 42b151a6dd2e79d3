package components

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"

	awsnative "github.com/pulumi/pulumi-aws-native/sdk/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components/stackconfig"
	"imgcells/contract"
	"imgcells/edge"
)

// FrontRegion hosts CloudFront's certificate and the front's providers.
const FrontRegion = "us-east-1"

// ExamplePath is an original the example URL asks for.
const ExamplePath = "/products/shoe.jpg?width=640"

// Deploy is the whole program: one AWS provider per region, one cell per region (the
// primary first, since the others replicate its source bucket), with a domain the
// ConvertDNS and each cell's convert.<domain>, the front over all of them, then the
// links between cells (LinkCells), the monitoring (Monitor) and the stack outputs.
func Deploy(ctx *pulumi.Context, cfg stackconfig.Config) error {
	outputs, err := deploy(ctx, cfg)
	if err != nil {
		return err
	}
	exportAll(ctx, outputs)
	return nil
}

// exportAll exports every stack output.
func exportAll(ctx *pulumi.Context, outputs pulumi.Map) {
	for _, k := range sortedKeys(outputs) {
		ctx.Export(k, outputs[k])
	}
}

// deploy creates every resource and returns the stack outputs.
func deploy(ctx *pulumi.Context, cfg stackconfig.Config) (pulumi.Map, error) {
	for _, w := range Warnings(cfg) {
		_ = ctx.Log.Warn(w, nil)
	}
	moduleDir, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	code, err := PackageConverter(moduleDir, cfg, func(format string, args ...any) {
		_ = ctx.Log.Info(fmt.Sprintf(format, args...), nil)
	})
	if err != nil {
		return nil, err
	}
	edgeCode, err := edge.Render(cfg.Edge)
	if err != nil {
		return nil, fmt.Errorf("rendering the edge function: %w", err)
	}

	cells := map[string]*RegionalImageCell{}
	var primary *CellBucket
	for _, region := range contract.PrimaryFirst(cfg.PrimaryRegion, cfg.Regions) {
		p, err := aws.NewProvider(ctx, "aws-"+region, &aws.ProviderArgs{Region: pulumi.String(region)})
		if err != nil {
			return nil, fmt.Errorf("creating the %s provider: %w", region, err)
		}
		c, err := NewRegionalImageCell(ctx, CellName(region), CellArgs{
			Primary:                 region == cfg.PrimaryRegion,
			PrimaryRegion:           cfg.PrimaryRegion,
			PrimarySource:           primary,
			Domain:                  cfg.Domain,
			APIThrottleRate:         cfg.APIThrottleRate,
			APIThrottleBurst:        cfg.APIThrottleBurst,
			Code:                    code,
			OriginVerifySecret:      pulumi.ToSecret(pulumi.String(cfg.OriginVerifySecret)).(pulumi.StringOutput),
			TransformedExpiryDays:   cfg.TransformedExpiryDays,
			SourceVersionExpiryDays: cfg.SourceVersionExpiryDays,
			Converter: ConverterSettings{
				MemoryMB:            cfg.ConverterMemoryMB,
				ReservedConcurrency: cfg.ConverterReservedConcurrency,
				MaxSourceBytes:      cfg.MaxSourceBytes,
				MaxSourcePixels:     cfg.MaxSourcePixels,
				MaxFrames:           cfg.MaxFrames,
				LogRetentionDays:    cfg.LogRetentionDays,
			},
		}, pulumi.Provider(p))
		if err != nil {
			return nil, err
		}
		if primary == nil {
			primary = &c.Source
		}
		cells[region] = c
	}

	awsFront, err := aws.NewProvider(ctx, "aws-front", &aws.ProviderArgs{Region: pulumi.String(FrontRegion)})
	if err != nil {
		return nil, fmt.Errorf("creating the front's provider: %w", err)
	}
	if cfg.Domain != "" {
		if err := serveConvertDomain(ctx, cfg, cells, awsFront); err != nil {
			return nil, err
		}
	}
	front, err := deployFront(ctx, cfg, cells, string(edgeCode), awsFront)
	if err != nil {
		return nil, err
	}
	if err := LinkCells(ctx, cells, CellLinks{DistributionARN: front.DistributionARN, SourceRTC: cfg.ReplicationTimeControl}); err != nil {
		return nil, err
	}
	mon, err := Monitor(ctx, cfg, cells, front)
	if err != nil {
		return nil, err
	}
	purge, err := addPurge(ctx, cells, PurgeArgs{
		Code: code, PrimaryRegion: cfg.PrimaryRegion, LogRetentionDays: cfg.LogRetentionDays,
		DistributionID: front.Distribution.ID().ToStringOutput(), DistributionARN: front.DistributionARN,
	})
	if err != nil {
		return nil, err
	}
	mon.LogGroups["purge"] = purge.LogGroup
	outputs := stackOutputs(cfg, cells, front)
	maps.Copy(outputs, monitoringOutputs(cfg, cells, front, mon))
	outputs["purgeQueueUrl"] = purge.QueueURL
	return outputs, nil
}

// Warnings are what a preview should tell the operator about cfg that no check can
// settle before AWS answers.
func Warnings(cfg stackconfig.Config) []string {
	var w []string
	if n := cfg.ConverterReservedConcurrency; n > 0 {
		w = append(w, "reserved concurrency: "+ReservationNote(n))
	}
	return w
}

// serveConvertDomain writes convert.<domain>'s validation record once (ConvertDNS),
// taking it from the primary cell's certificate (every region's asks for the same
// record), then finishes each cell's custom domain with it.
func serveConvertDomain(ctx *pulumi.Context, cfg stackconfig.Config, cells map[string]*RegionalImageCell, provider pulumi.ProviderResource) error {
	rec, ok := cells[cfg.PrimaryRegion].DomainValidationRecord()
	if !ok {
		return fmt.Errorf("the primary cell requested no certificate for %s", ConvertDomain(cfg.Domain))
	}
	dom, err := NewConvertDNS(ctx, DNSComponentName, ConvertDNSArgs{
		Domain: cfg.Domain, HostedZoneID: cfg.HostedZoneID, Record: rec,
	}, pulumi.Provider(provider))
	if err != nil {
		return err
	}
	for _, region := range sortedKeys(cells) {
		if err := cells[region].ServeDomain(ctx, dom.ValidationFQDN); err != nil {
			return err
		}
	}
	return nil
}

// moduleRoot is the nearest directory at or above the working directory holding go.mod:
// the project directory under `pulumi up`, the repository root from a test.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the module directory: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s: run from the project directory", dir)
		}
	}
}

func deployFront(ctx *pulumi.Context, cfg stackconfig.Config, cells map[string]*RegionalImageCell, edgeCode string,
	awsFront pulumi.ProviderResource) (*GlobalFront, error) {
	nativeFront, err := awsnative.NewProvider(ctx, "aws-native-front", &awsnative.ProviderArgs{Region: pulumi.String(FrontRegion)})
	if err != nil {
		return nil, fmt.Errorf("creating the front's aws-native provider: %w", err)
	}
	var fcs []FrontCell
	buckets := pulumi.StringMap{}
	for _, region := range contract.PrimaryFirst(cfg.PrimaryRegion, cfg.Regions) {
		c := cells[region]
		fcs = append(fcs, FrontCell{
			Region: region, TransformedBucket: c.Transformed.Name, APIHost: c.API.Host,
			DomainTarget: c.API.DomainTarget, DomainZoneID: c.API.DomainZoneID,
		})
		buckets[region] = c.Transformed.Name
	}
	stack := ctx.Stack()
	return NewGlobalFront(ctx, FrontName, FrontArgs{
		NamePrefix: "imgcells-" + dnsLabel(stack),
		// Known at preview unless a bucket is being replaced; then the name is
		// unknown, and the MRAP is replaced under its new name (see MRAPName).
		MRAPName: buckets.ToStringMapOutput().ApplyT(func(b map[string]string) string {
			return MRAPName(stack, b)
		}).(pulumi.StringOutput),
		RateLimit:          cfg.RateLimit,
		Cells:              fcs,
		Domain:             cfg.Domain,
		HostedZoneID:       cfg.HostedZoneID,
		PriceClass:         cfg.PriceClass,
		EdgeCode:           edgeCode,
		Signing:            cfg.Edge.Signing,
		OriginVerifySecret: pulumi.ToSecret(pulumi.String(cfg.OriginVerifySecret)).(pulumi.StringOutput),
	}, pulumi.Providers(awsFront, nativeFront))
}

// stackOutputs are what operators and tests look up after `pulumi up`.
func stackOutputs(cfg stackconfig.Config, cells map[string]*RegionalImageCell, front *GlobalFront) pulumi.Map {
	apis, sources, transformed, logs := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for region, c := range cells {
		apis[region] = c.APIEndpoint
		sources[region] = c.Source.Name
		transformed[region] = c.Transformed.Name
		logs[region] = c.LogGroup
	}
	return pulumi.Map{
		"cdnDomain":           front.Distribution.DomainName,
		"cdnHost":             front.Host,
		"apiEndpoints":        apis,
		"sourceBuckets":       sources,
		"primarySourceBucket": cells[cfg.PrimaryRegion].Source.Name,
		"primaryRegion":       pulumi.String(cfg.PrimaryRegion),
		"transformedBuckets":  transformed,
		"converterLogGroups":  logs,
		"mrapAlias":           front.MRAP.Alias,
		"exampleUrl":          pulumi.Sprintf("https://%s%s", front.Host, ExamplePath),
	}
}
