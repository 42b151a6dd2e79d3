package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/contract"
)

// cdnPolicies are the ids of the distribution's cache, origin request and response
// headers policies.
type cdnPolicies struct {
	Cache, OriginRequest, ResponseHeaders pulumi.StringOutput
}

// Variant objects never change (a new rendering is a new key), so they may be cached long.
const (
	cacheDefaultTTL = 30 * 24 * 3600
	cacheMaxTTL     = 365 * 24 * 3600
)

// newPolicies creates:
//   - a cache policy whose key is the URI alone: the edge function has already folded
//     Accept, width and quality into the path and cleared the query, so any header,
//     cookie or query in the key would only split the cache;
//   - an origin request policy that forwards only the headers the edge function sets for
//     the origins (contract.OriginRequestHeaders: x-imgcells-variant, the rewritten URI,
//     which API Gateway cannot cut at a "?" or "#" in the key as it does the path) and
//     nothing else from the viewer (no Host: S3 and API Gateway must see their own
//     hostnames). What an origin request policy forwards is not part of the cache key;
//   - a response headers policy adding Vary: Accept (the same URL serves different formats
//     to different browsers) and the usual security headers.
func newPolicies(ctx *pulumi.Context, front string, opts ...pulumi.ResourceOption) (cdnPolicies, error) {
	cache, err := cloudfront.NewCachePolicy(ctx, child(front, "cache-uri-only"), &cloudfront.CachePolicyArgs{
		Comment:    pulumi.String("imgcells: the rewritten URI is the whole cache key"),
		MinTtl:     pulumi.Int(0),
		DefaultTtl: pulumi.Int(cacheDefaultTTL),
		MaxTtl:     pulumi.Int(cacheMaxTTL),
		ParametersInCacheKeyAndForwardedToOrigin: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs{
			HeadersConfig: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs{
				HeaderBehavior: pulumi.String("none"),
			},
			CookiesConfig: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs{
				CookieBehavior: pulumi.String("none"),
			},
			QueryStringsConfig: &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs{
				QueryStringBehavior: pulumi.String("none"),
			},
			EnableAcceptEncodingGzip:   pulumi.Bool(false),
			EnableAcceptEncodingBrotli: pulumi.Bool(false),
		},
	}, opts...)
	if err != nil {
		return cdnPolicies{}, fmt.Errorf("creating %s cache policy: %w", front, err)
	}
	orp, err := cloudfront.NewOriginRequestPolicy(ctx, child(front, "origin-request"), &cloudfront.OriginRequestPolicyArgs{
		Comment: pulumi.String("imgcells: forward only the edge function's headers; the origin sees its own Host"),
		HeadersConfig: &cloudfront.OriginRequestPolicyHeadersConfigArgs{
			HeaderBehavior: pulumi.String("whitelist"),
			Headers: &cloudfront.OriginRequestPolicyHeadersConfigHeadersArgs{
				Items: pulumi.ToStringArray(contract.OriginRequestHeaders()),
			},
		},
		CookiesConfig:      &cloudfront.OriginRequestPolicyCookiesConfigArgs{CookieBehavior: pulumi.String("none")},
		QueryStringsConfig: &cloudfront.OriginRequestPolicyQueryStringsConfigArgs{QueryStringBehavior: pulumi.String("none")},
	}, opts...)
	if err != nil {
		return cdnPolicies{}, fmt.Errorf("creating %s origin request policy: %w", front, err)
	}
	rhp, err := cloudfront.NewResponseHeadersPolicy(ctx, child(front, "response-headers"), &cloudfront.ResponseHeadersPolicyArgs{
		Comment: pulumi.String("imgcells: Vary: Accept and security headers"),
		CustomHeadersConfig: &cloudfront.ResponseHeadersPolicyCustomHeadersConfigArgs{
			Items: cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArray{
				&cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArgs{
					Header: pulumi.String("Vary"), Value: pulumi.String("Accept"), Override: pulumi.Bool(true),
				},
			},
		},
		SecurityHeadersConfig: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs{
			StrictTransportSecurity: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs{
				AccessControlMaxAgeSec: pulumi.Int(63072000), IncludeSubdomains: pulumi.Bool(true), Override: pulumi.Bool(true),
			},
			ContentTypeOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs{Override: pulumi.Bool(true)},
			FrameOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs{
				FrameOption: pulumi.String("DENY"), Override: pulumi.Bool(true),
			},
			ReferrerPolicy: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs{
				ReferrerPolicy: pulumi.String("strict-origin-when-cross-origin"), Override: pulumi.Bool(true),
			},
		},
	}, opts...)
	if err != nil {
		return cdnPolicies{}, fmt.Errorf("creating %s response headers policy: %w", front, err)
	}
	return cdnPolicies{Cache: cache.ID().ToStringOutput(), OriginRequest: orp.ID().ToStringOutput(), ResponseHeaders: rhp.ID().ToStringOutput()}, nil
}
