package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3control"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Origin ids inside the distribution.
const (
	originMRAP      = "variants-mrap"
	originConverter = "converter"
	originGroup     = "variants"
)

// FrontCell is what the front needs from one cell.
type FrontCell struct {
	Region            string
	TransformedBucket pulumi.StringInput
	APIHost           pulumi.StringInput  // the regional execute-api host
	DomainTarget      pulumi.StringOutput // with a domain: the regional API domain's target
	DomainZoneID      pulumi.StringOutput
}

// FrontArgs configure the GlobalFront. Its AWS providers (us-east-1, for CloudFront's
// certificate, and aws-native for the OAC) come in the resource options.
type FrontArgs struct {
	NamePrefix           string             // imgcells-<stack>: names of account-wide CloudFront objects
	MRAPName             pulumi.StringInput // from the stack and its buckets, see MRAPName
	Cells                []FrontCell
	Domain, HostedZoneID string // both set, or both empty
	PriceClass           string
	EdgeCode             string // the rendered CloudFront Function
	Signing              bool   // associate a KeyValueStore holding the URL-signing key
	OriginVerifySecret   pulumi.StringInput
	RateLimit            int // > 0: a WAF web ACL blocking an IP past this many requests in 5 minutes
}

// GlobalFront is the stack's single CDN: the Multi-Region Access Point over the
// transformed buckets, CloudFront with its function and policies, and the DNS.
type GlobalFront struct {
	pulumi.ResourceState

	MRAP            *s3control.MultiRegionAccessPoint
	Distribution    *cloudfront.Distribution
	DistributionARN pulumi.StringOutput
	Host            pulumi.StringOutput // the CDN hostname viewers use
}

// NewGlobalFront creates the front. Without a domain, the converter origin is the first
// cell's API host (Deploy puts the primary first); with one, it is convert.<domain>,
// which Route 53 resolves to the nearest cell.
func NewGlobalFront(ctx *pulumi.Context, name string, args FrontArgs, opts ...pulumi.ResourceOption) (*GlobalFront, error) {
	if len(args.Cells) == 0 {
		return nil, fmt.Errorf("front %s: no cells", name)
	}
	f := &GlobalFront{}
	if err := ctx.RegisterComponentResource(FrontType, name, f, opts...); err != nil {
		return nil, fmt.Errorf("registering front %s: %w", name, err)
	}
	in := []pulumi.ResourceOption{pulumi.Parent(f)}

	regions := s3control.MultiRegionAccessPointDetailsRegionArray{}
	for _, c := range args.Cells {
		regions = append(regions, &s3control.MultiRegionAccessPointDetailsRegionArgs{
			Bucket: c.TransformedBucket,
			Region: pulumi.String(c.Region),
		})
	}
	mrap, err := s3control.NewMultiRegionAccessPoint(ctx, child(name, "mrap"), &s3control.MultiRegionAccessPointArgs{
		Details: &s3control.MultiRegionAccessPointDetailsArgs{
			Name:    args.MRAPName,
			Regions: regions,
			PublicAccessBlock: &s3control.MultiRegionAccessPointDetailsPublicAccessBlockArgs{
				BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
				IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
			},
		},
	}, in...)
	if err != nil {
		return nil, fmt.Errorf("creating %s multi-region access point: %w", name, err)
	}
	f.MRAP = mrap

	edgeFn, err := newEdgeFunction(ctx, name, args, in...)
	if err != nil {
		return nil, err
	}
	pol, err := newPolicies(ctx, name, in...)
	if err != nil {
		return nil, err
	}
	oac, err := newMRAPAccessControl(ctx, name, args.NamePrefix, in...)
	if err != nil {
		return nil, err
	}
	var webACL pulumi.StringPtrInput // none: the distribution has no web ACL
	if args.RateLimit > 0 {
		arn, err := newRateLimit(ctx, name, args.NamePrefix, args.RateLimit, in...)
		if err != nil {
			return nil, err
		}
		webACL = arn
	}
	converterHost := args.Cells[0].APIHost
	if args.Domain != "" {
		converterHost = pulumi.String(ConvertDomain(args.Domain))
	}
	dist, err := newDistribution(ctx, name, distributionSpec{
		args: args, mrapDomain: mrap.DomainName, oacID: oac, converterHost: converterHost,
		functionARN: edgeFn, policies: pol, webACL: webACL,
	}, in...)
	if err != nil {
		return nil, err
	}
	f.Distribution = dist
	f.DistributionARN = dist.Arn
	f.Host = dist.DomainName
	if args.Domain != "" {
		f.Host = pulumi.String(args.Domain).ToStringOutput()
	}

	mrapPolicy := pulumi.All(mrap.AccountId, mrap.Alias, dist.Arn).ApplyT(func(v []any) string {
		return MRAPPolicy(v[0].(string), v[1].(string), v[2].(string))
	}).(pulumi.StringOutput)
	if _, err := s3control.NewMultiRegionAccessPointPolicy(ctx, child(name, "mrap-policy"), &s3control.MultiRegionAccessPointPolicyArgs{
		Details: &s3control.MultiRegionAccessPointPolicyDetailsArgs{
			Name:   mrap.Details.Name(),
			Policy: mrapPolicy,
		},
	}, in...); err != nil {
		return nil, fmt.Errorf("writing %s multi-region access point policy: %w", name, err)
	}
	if args.Domain != "" {
		if err := addRecords(ctx, name, args, dist, in...); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(f, pulumi.Map{
		"cdnDomain":      dist.DomainName,
		"host":           f.Host,
		"mrapAlias":      mrap.Alias,
		"distributionId": dist.ID(),
	}); err != nil {
		return nil, fmt.Errorf("registering outputs of front %s: %w", name, err)
	}
	return f, nil
}
