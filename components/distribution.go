package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/contract"
)

// ViewerTLSPolicy is the oldest TLS CloudFront accepts from viewers on a custom domain.
const ViewerTLSPolicy = "TLSv1.2_2021"

type distributionSpec struct {
	args          FrontArgs
	mrapDomain    pulumi.StringOutput
	oacID         pulumi.StringOutput
	converterHost pulumi.StringInput
	functionARN   pulumi.StringOutput
	policies      cdnPolicies
	webACL        pulumi.StringPtrInput // a WAFv2 web ACL's ARN, or nil
}

// MRAPConnectionAttempts and MRAPConnectionTimeout (seconds) bound how long
// CloudFront tries to connect to the Multi-Region Access Point before it
// fails over to the converter (CloudFront's defaults, 3 and 10, make it 30 s).
const (
	MRAPConnectionAttempts = 2
	MRAPConnectionTimeout  = 3
)

// newDistribution creates the distribution: one origin group whose primary is the MRAP
// (signed with the SigV4A OAC) and whose fallback is the converter API, which receives
// the origin-verify header; HTTPS only, HTTP/2 and 3, IPv6. With a domain, it serves it
// with a DNS-validated certificate in us-east-1 (the front's provider region).
func newDistribution(ctx *pulumi.Context, front string, s distributionSpec, opts ...pulumi.ResourceOption) (*cloudfront.Distribution, error) {
	name := child(front, "cdn")
	viewerCert := &cloudfront.DistributionViewerCertificateArgs{CloudfrontDefaultCertificate: pulumi.Bool(true)}
	aliases := pulumi.StringArray{}
	if d := s.args.Domain; d != "" {
		cert, err := validatedCert(ctx, child(front, "cdn-cert"), d, s.args.HostedZoneID, opts...)
		if err != nil {
			return nil, err
		}
		viewerCert = &cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn:      cert,
			SslSupportMethod:       pulumi.String("sni-only"),
			MinimumProtocolVersion: pulumi.String(ViewerTLSPolicy),
		}
		aliases = append(aliases, pulumi.String(d))
	}
	codes := pulumi.IntArray{}
	for _, c := range contract.FailoverStatusCodes {
		codes = append(codes, pulumi.Int(c))
	}
	dist, err := cloudfront.NewDistribution(ctx, name, &cloudfront.DistributionArgs{
		Enabled:       pulumi.Bool(true),
		Comment:       pulumi.String("imgcells image CDN"),
		Aliases:       aliases,
		HttpVersion:   pulumi.String("http2and3"),
		IsIpv6Enabled: pulumi.Bool(true),
		PriceClass:    pulumi.String(s.args.PriceClass),
		Origins: cloudfront.DistributionOriginArray{
			&cloudfront.DistributionOriginArgs{
				OriginId:              pulumi.String(originMRAP),
				DomainName:            s.mrapDomain,
				OriginAccessControlId: s.oacID,
				S3OriginConfig:        &cloudfront.DistributionOriginS3OriginConfigArgs{OriginAccessIdentity: pulumi.String("")},
				// The group's primary: by default CloudFront tries to connect
				// to it three times for 10 s each (30 s) before failing over,
				// a half-minute miss whenever the access point cannot be
				// reached. A failover costs a conversion, not an error, so it
				// is made soon: two tries of 3 s (one lost SYN does not fail
				// over; a dead endpoint does within 6 s).
				ConnectionAttempts: pulumi.Int(MRAPConnectionAttempts),
				ConnectionTimeout:  pulumi.Int(MRAPConnectionTimeout),
			},
			&cloudfront.DistributionOriginArgs{
				OriginId:   pulumi.String(originConverter),
				DomainName: s.converterHost,
				CustomOriginConfig: &cloudfront.DistributionOriginCustomOriginConfigArgs{
					HttpPort: pulumi.Int(80), HttpsPort: pulumi.Int(443),
					OriginProtocolPolicy: pulumi.String("https-only"),
					OriginSslProtocols:   pulumi.StringArray{pulumi.String("TLSv1.2")},
					OriginReadTimeout:    pulumi.Int(30),
				},
				CustomHeaders: cloudfront.DistributionOriginCustomHeaderArray{&cloudfront.DistributionOriginCustomHeaderArgs{
					Name:  pulumi.String(contract.OriginVerifyHeader),
					Value: pulumi.ToSecret(s.args.OriginVerifySecret).(pulumi.StringOutput),
				}},
			},
		},
		OriginGroups: cloudfront.DistributionOriginGroupArray{&cloudfront.DistributionOriginGroupArgs{
			OriginId:         pulumi.String(originGroup),
			FailoverCriteria: &cloudfront.DistributionOriginGroupFailoverCriteriaArgs{StatusCodes: codes},
			Members: cloudfront.DistributionOriginGroupMemberArray{
				&cloudfront.DistributionOriginGroupMemberArgs{OriginId: pulumi.String(originMRAP)},
				&cloudfront.DistributionOriginGroupMemberArgs{OriginId: pulumi.String(originConverter)},
			},
		}},
		DefaultCacheBehavior: &cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId:          pulumi.String(originGroup),
			ViewerProtocolPolicy:    pulumi.String("https-only"),
			AllowedMethods:          pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
			CachedMethods:           pulumi.StringArray{pulumi.String("GET"), pulumi.String("HEAD")},
			Compress:                pulumi.Bool(false),
			CachePolicyId:           s.policies.Cache,
			OriginRequestPolicyId:   s.policies.OriginRequest,
			ResponseHeadersPolicyId: s.policies.ResponseHeaders,
			FunctionAssociations: cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray{
				&cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs{
					EventType: pulumi.String("viewer-request"), FunctionArn: s.functionARN,
				},
			},
		},
		Restrictions: &cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: &cloudfront.DistributionRestrictionsGeoRestrictionArgs{RestrictionType: pulumi.String("none")},
		},
		ViewerCertificate: viewerCert,
		WebAclId:          s.webACL,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s distribution: %w", name, err)
	}
	return dist, nil
}

// addRecords points the domain at the distribution (A and AAAA aliases) and
// convert.<domain> at every cell's regional API domain with latency routing, one record
// per region, so CloudFront's fallback reaches the nearest converter.
func addRecords(ctx *pulumi.Context, front string, args FrontArgs, dist *cloudfront.Distribution, opts ...pulumi.ResourceOption) error {
	for _, typ := range []string{"A", "AAAA"} {
		if _, err := route53.NewRecord(ctx, child(front, "cdn-alias-"+strings.ToLower(typ)), &route53.RecordArgs{
			ZoneId: pulumi.String(args.HostedZoneID),
			Name:   pulumi.String(args.Domain),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{&route53.RecordAliasArgs{
				Name: dist.DomainName, ZoneId: dist.HostedZoneId, EvaluateTargetHealth: pulumi.Bool(false),
			}},
		}, opts...); err != nil {
			return fmt.Errorf("pointing %s at the distribution: %w", args.Domain, err)
		}
	}
	for _, c := range args.Cells {
		if _, err := route53.NewRecord(ctx, child(front, "convert-"+c.Region), &route53.RecordArgs{
			ZoneId:        pulumi.String(args.HostedZoneID),
			Name:          pulumi.String(ConvertDomain(args.Domain)),
			Type:          pulumi.String("A"),
			SetIdentifier: pulumi.String(c.Region),
			LatencyRoutingPolicies: route53.RecordLatencyRoutingPolicyArray{
				&route53.RecordLatencyRoutingPolicyArgs{Region: pulumi.String(c.Region)},
			},
			Aliases: route53.RecordAliasArray{&route53.RecordAliasArgs{
				Name: c.DomainTarget, ZoneId: c.DomainZoneID, EvaluateTargetHealth: pulumi.Bool(true),
			}},
		}, opts...); err != nil {
			return fmt.Errorf("adding the %s latency record for %s: %w", c.Region, ConvertDomain(args.Domain), err)
		}
	}
	return nil
}
