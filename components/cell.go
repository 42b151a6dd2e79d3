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
	// Domain, when set, serves the API as convert.<Domain> only (its execute-api endpoint
	// off): the cell requests its certificate, and ServeDomain finishes the domain once
	// the stack's ConvertDNS has written the validation record.
	Domain string
	// APIThrottleRate and APIThrottleBurst bound the API's $default stage.
	APIThrottleRate, APIThrottleBurst int

	Code                  Artifact
	Converter             ConverterSettings
	OriginVerifySecret    pulumi.StringInput
	TransformedExpiryDays int
	// SourceVersionExpiryDays is how long the source bucket keeps an
	// overwritten or deleted original.
	SourceVersionExpiryDays int
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
	domain      string
	source      *privateBucket
	transformed *privateBucket
	opts        []pulumi.ResourceOption // parent: the cell (and, through it, its provider)
	linked      bool

	Source      CellBucket
	Transformed CellBucket
	Function    *lambda.Function
	LogGroup    pulumi.StringOutput // the converter's log group name (auto-named)
	API         *regionalAPI
	APIEndpoint pulumi.StringOutput
}

// NewRegionalImageCell creates a cell's regional resources under the provider in opts and
// registers its outputs.
func NewRegionalImageCell(ctx *pulumi.Context, name string, args CellArgs, opts ...pulumi.ResourceOption) (*RegionalImageCell, error) {
	if !args.Primary && args.PrimarySource == nil {
		return nil, fmt.Errorf("cell %s: a replica cell needs the primary source bucket", name)
	}
	c := &RegionalImageCell{name: name, primary: args.Primary, domain: args.Domain}
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
	if err := expireOldOriginals(ctx, name, c.source, args.SourceVersionExpiryDays, c.opts...); err != nil {
		return nil, err
	}
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
	c.Function, c.LogGroup, err = newConverter(ctx, name, args.Code, args.Converter, converterEnv{
		SourceBucket:        c.Source.Name,
		PrimarySourceBucket: primary.Name,
		PrimaryRegion:       args.PrimaryRegion,
		TransformedBucket:   c.Transformed.Name,
		OriginVerifySecret:  args.OriginVerifySecret,
	}, pulumi.StringArray{c.Source.ARN, primary.ARN}, c.Transformed.ARN, c.opts...)
	if err != nil {
		return nil, err
	}
	c.API, err = newAPI(ctx, name, c.Function, apiSpec{
		OnlyCustomDomain: args.Domain != "",
		ThrottleRate:     args.APIThrottleRate,
		ThrottleBurst:    args.APIThrottleBurst,
		LogRetentionDays: args.Converter.LogRetentionDays,
	}, c.opts...)
	if err != nil {
		return nil, err
	}
	c.APIEndpoint = c.API.Endpoint
	if args.Domain != "" {
		if err := c.API.requestDomainCert(ctx, name, args.Domain, c.opts...); err != nil {
			return nil, err
		}
	}
	outputs := pulumi.Map{
		"sourceBucket":      c.Source.Name,
		"transformedBucket": c.Transformed.Name,
		"apiEndpoint":       c.APIEndpoint,
		"functionName":      c.Function.Name,
		"logGroup":          c.LogGroup,
	}
	if err := ctx.RegisterResourceOutputs(c, outputs); err != nil {
		return nil, fmt.Errorf("registering outputs of cell %s: %w", name, err)
	}
	return c, nil
}

// DomainValidationRecord is the record this cell's convert.<domain> certificate asks
// for; ok is false when the cell has no domain.
func (c *RegionalImageCell) DomainValidationRecord() (ValidationRecord, bool) {
	if c.API.cert == nil {
		return ValidationRecord{}, false
	}
	return c.API.cert.record(), true
}

// ServeDomain finishes convert.<domain> in this cell once the stack's ConvertDNS
// holds the validation record at validationFQDN: the certificate's validation, the
// regional custom domain and its mapping (children of the cell, like its other
// resources).
func (c *RegionalImageCell) ServeDomain(ctx *pulumi.Context, validationFQDN pulumi.StringInput) error {
	if c.domain == "" {
		return fmt.Errorf("cell %s has no domain to serve", c.name)
	}
	return c.API.serveDomain(ctx, c.name, c.domain, validationFQDN, c.opts...)
}
