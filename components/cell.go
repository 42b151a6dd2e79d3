package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CellArgs configure one RegionalImageCell. The cell's region is not here: it comes from
// the AWS provider passed in the resource options.
type CellArgs struct {
	// Primary cells own the main source bucket; the others hold a replica of it.
	Primary bool
	// PrimaryRegion is the region of the main source bucket (the Lambda's fallback).
	PrimaryRegion string
	// PrimarySource is the main source bucket; nil in the primary cell itself.
	PrimarySource *CellBucket
	// Domain and HostedZoneID, when set, serve the API as convert.<Domain> here.
	Domain, HostedZoneID string

	Code                  Artifact
	Converter             ConverterSettings
	OriginVerifySecret    pulumi.StringInput
	TransformedExpiryDays int
}

// CellBucket is a bucket's name and ARN, as other resources refer to it.
type CellBucket struct {
	Name pulumi.StringOutput
	ARN  pulumi.StringOutput
}

// RegionalImageCell is everything imgcells runs in one region: the source bucket (main or
// replica), the transformed bucket, the converter Lambda and its HTTP API. It is complete
// when constructed. What joins it to the other cells and to the distribution (replication
// to their buckets, the transformed bucket's policy naming the distribution) cannot exist
// before they do; LinkCells adds it afterwards (links.go).
type RegionalImageCell struct {
	pulumi.ResourceState

	name        string
	primary     bool
	source      *privateBucket
	transformed *privateBucket
	opts        []pulumi.ResourceOption // parent: the cell (and, through it, its provider)
	linked      bool

	Source      CellBucket
	Transformed CellBucket
	Function    *lambda.Function
	API         *regionalAPI
	APIEndpoint pulumi.StringOutput
}

// NewRegionalImageCell creates a cell's regional resources under the provider in opts and
// registers its outputs.
func NewRegionalImageCell(ctx *pulumi.Context, name string, args CellArgs, opts ...pulumi.ResourceOption) (*RegionalImageCell, error) {
	if !args.Primary && args.PrimarySource == nil {
		return nil, fmt.Errorf("cell %s: a replica cell needs the primary source bucket", name)
	}
	c := &RegionalImageCell{name: name, primary: args.Primary}
	if err := ctx.RegisterComponentResource(CellType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering cell %s: %w", name, err)
	}
	c.opts = []pulumi.ResourceOption{pulumi.Parent(c)}
	var err error
	// A replica can be destroyed with its objects; the main bucket holds the only originals.
	c.source, err = newPrivateBucket(ctx, name, bucketSpec{Role: "source", ForceDestroy: !args.Primary}, c.opts...)
	if err != nil {
		return nil, err
	}
	c.Source = CellBucket{Name: c.source.Bucket.Bucket, ARN: c.source.Bucket.Arn}
	if err := setPolicy(ctx, child(name, "source-policy"), c.source,
		c.source.Bucket.Arn.ApplyT(func(arn string) string { return BucketPolicy(arn) }).(pulumi.StringOutput), c.opts...); err != nil {
		return nil, err
	}
	c.transformed, err = newPrivateBucket(ctx, name, bucketSpec{
		Role: "transformed", ForceDestroy: true, ExpiryDays: args.TransformedExpiryDays,
	}, c.opts...)
	if err != nil {
		return nil, err
	}
	c.Transformed = CellBucket{Name: c.transformed.Bucket.Bucket, ARN: c.transformed.Bucket.Arn}

	primary := c.Source
	if !args.Primary {
		primary = *args.PrimarySource
	}
	c.Function, err = newConverter(ctx, name, args.Code, args.Converter, converterEnv{
		SourceBucket:        c.Source.Name,
		PrimarySourceBucket: primary.Name,
		PrimaryRegion:       args.PrimaryRegion,
		TransformedBucket:   c.Transformed.Name,
		OriginVerifySecret:  args.OriginVerifySecret,
	}, pulumi.StringArray{c.Source.ARN, primary.ARN}, c.Transformed.ARN, c.opts...)
	if err != nil {
		return nil, err
	}
	c.API, err = newAPI(ctx, name, c.Function, c.opts...)
	if err != nil {
		return nil, err
	}
	c.APIEndpoint = c.API.Endpoint
	if args.Domain != "" {
		if err := c.API.addDomain(ctx, name, args.Domain, args.HostedZoneID, c.opts...); err != nil {
			return nil, err
		}
	}
	outputs := pulumi.Map{
		"sourceBucket":      c.Source.Name,
		"transformedBucket": c.Transformed.Name,
		"apiEndpoint":       c.APIEndpoint,
		"functionName":      c.Function.Name,
	}
	if err := ctx.RegisterResourceOutputs(c, outputs); err != nil {
		return nil, fmt.Errorf("registering outputs of cell %s: %w", name, err)
	}
	return c, nil
}
