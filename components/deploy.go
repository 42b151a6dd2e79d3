package components

import (
	"fmt"
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
// primary first, since the others replicate its source bucket), the front over all of
// them, then the links between cells (LinkCells) and the stack outputs.
func Deploy(ctx *pulumi.Context, cfg stackconfig.Config) error {
	moduleDir, err := moduleRoot()
	if err != nil {
		return err
	}
	code, err := PackageConverter(moduleDir, cfg, func(format string, args ...any) {
		_ = ctx.Log.Info(fmt.Sprintf(format, args...), nil)
	})
	if err != nil {
		return err
	}
	edgeCode, err := edge.Render(cfg.Edge)
	if err != nil {
		return fmt.Errorf("rendering the edge function: %w", err)
	}

	cells := map[string]*RegionalImageCell{}
	var primary *CellBucket
	for _, region := range contract.PrimaryFirst(cfg.PrimaryRegion, cfg.Regions) {
		p, err := aws.NewProvider(ctx, "aws-"+region, &aws.ProviderArgs{Region: pulumi.String(region)})
		if err != nil {
			return fmt.Errorf("creating the %s provider: %w", region, err)
		}
		c, err := NewRegionalImageCell(ctx, CellName(region), CellArgs{
			Primary:               region == cfg.PrimaryRegion,
			PrimaryRegion:         cfg.PrimaryRegion,
			PrimarySource:         primary,
			Domain:                cfg.Domain,
			HostedZoneID:          cfg.HostedZoneID,
			Code:                  code,
			OriginVerifySecret:    pulumi.ToSecret(pulumi.String(cfg.OriginVerifySecret)).(pulumi.StringOutput),
			TransformedExpiryDays: cfg.TransformedExpiryDays,
			Converter: ConverterSettings{
				MemoryMB:            cfg.ConverterMemoryMB,
				ReservedConcurrency: cfg.ConverterReservedConcurrency,
				MaxSourceBytes:      cfg.MaxSourceBytes,
				MaxSourcePixels:     cfg.MaxSourcePixels,
				LogRetentionDays:    cfg.LogRetentionDays,
			},
		}, pulumi.Provider(p))
		if err != nil {
			return err
		}
		if primary == nil {
			primary = &c.Source
		}
		cells[region] = c
	}

	front, err := deployFront(ctx, cfg, cells, string(edgeCode))
	if err != nil {
		return err
	}
	if err := LinkCells(ctx, cells, CellLinks{DistributionARN: front.DistributionARN, RTC: cfg.ReplicationTimeControl}); err != nil {
		return err
	}
	export(ctx, cfg, cells, front)
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

func deployFront(ctx *pulumi.Context, cfg stackconfig.Config, cells map[string]*RegionalImageCell, edgeCode string) (*GlobalFront, error) {
	awsFront, err := aws.NewProvider(ctx, "aws-front", &aws.ProviderArgs{Region: pulumi.String(FrontRegion)})
	if err != nil {
		return nil, fmt.Errorf("creating the front's provider: %w", err)
	}
	nativeFront, err := awsnative.NewProvider(ctx, "aws-native-front", &awsnative.ProviderArgs{Region: pulumi.String(FrontRegion)})
	if err != nil {
		return nil, fmt.Errorf("creating the front's aws-native provider: %w", err)
	}
	var fcs []FrontCell
	for _, region := range contract.PrimaryFirst(cfg.PrimaryRegion, cfg.Regions) {
		c := cells[region]
		fcs = append(fcs, FrontCell{
			Region: region, TransformedBucket: c.Transformed.Name, APIHost: c.API.Host,
			DomainTarget: c.API.DomainTarget, DomainZoneID: c.API.DomainZoneID,
		})
	}
	prefix := "imgcells-" + dnsLabel(ctx.Stack())
	return NewGlobalFront(ctx, FrontName, FrontArgs{
		NamePrefix:         prefix,
		MRAPName:           MRAPName(ctx.Stack(), cfg.Regions),
		Cells:              fcs,
		Domain:             cfg.Domain,
		HostedZoneID:       cfg.HostedZoneID,
		PriceClass:         cfg.PriceClass,
		EdgeCode:           edgeCode,
		Signing:            cfg.Edge.Signing,
		OriginVerifySecret: pulumi.ToSecret(pulumi.String(cfg.OriginVerifySecret)).(pulumi.StringOutput),
	}, pulumi.Providers(awsFront, nativeFront))
}

// export publishes what operators and tests look up after `pulumi up`.
func export(ctx *pulumi.Context, cfg stackconfig.Config, cells map[string]*RegionalImageCell, front *GlobalFront) {
	apis, sources, transformed := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for region, c := range cells {
		apis[region] = c.APIEndpoint
		sources[region] = c.Source.Name
		transformed[region] = c.Transformed.Name
	}
	ctx.Export("cdnDomain", front.Distribution.DomainName)
	ctx.Export("cdnHost", front.Host)
	ctx.Export("apiEndpoints", apis)
	ctx.Export("sourceBuckets", sources)
	ctx.Export("primarySourceBucket", cells[cfg.PrimaryRegion].Source.Name)
	ctx.Export("transformedBuckets", transformed)
	ctx.Export("mrapAlias", front.MRAP.Alias)
	ctx.Export("exampleUrl", pulumi.Sprintf("https://%s%s", front.Host, ExamplePath))
}
