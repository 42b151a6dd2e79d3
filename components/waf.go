package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// wafMetricMax is AWS WAF's limit on a CloudWatch metric name.
const wafMetricMax = 128

// RateLimitRule is the name of the web ACL's only rule.
const RateLimitRule = "per-ip-rate-limit"

// newRateLimit creates the distribution's AWS WAF web ACL: every
// request is allowed except from an IP that sent more than limit requests in the last
// 5 minutes, which is blocked (403) until its rate falls below the limit again. A web
// ACL for CloudFront has scope CLOUDFRONT and must be created in us-east-1: the front's
// provider. The distribution takes the ACL's ARN (WAFv2), which it returns.
//
// It is evaluated before the cache, so it counts hits as well as misses, and it costs a
// monthly fee per web ACL and per rule plus a fee per million requests
// (https://aws.amazon.com/waf/pricing/): README, "Costs".
func newRateLimit(ctx *pulumi.Context, front, prefix string, limit int, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	name := child(front, "waf")
	metric := func(role string) pulumi.String {
		return pulumi.String(boundedName(prefix+"-"+role, wafMetricMax))
	}
	acl, err := wafv2.NewWebAcl(ctx, name, &wafv2.WebAclArgs{
		Description:   pulumi.String("imgcells: per-IP rate limit in front of the CDN"),
		Scope:         pulumi.String("CLOUDFRONT"),
		DefaultAction: &wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
		Rules: wafv2.WebAclRuleArray{&wafv2.WebAclRuleArgs{
			Name:     pulumi.String(RateLimitRule),
			Priority: pulumi.Int(0),
			Action:   &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{}},
			Statement: &wafv2.WebAclRuleStatementArgs{
				RateBasedStatement: &wafv2.WebAclRuleStatementRateBasedStatementArgs{
					Limit:               pulumi.Int(limit),
					AggregateKeyType:    pulumi.String("IP"),
					EvaluationWindowSec: pulumi.Int(300),
				},
			},
			VisibilityConfig: &wafv2.WebAclRuleVisibilityConfigArgs{
				CloudwatchMetricsEnabled: pulumi.Bool(true),
				MetricName:               metric(RateLimitRule),
				SampledRequestsEnabled:   pulumi.Bool(true),
			},
		}},
		VisibilityConfig: &wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			MetricName:               metric("waf"),
			SampledRequestsEnabled:   pulumi.Bool(true),
		},
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("creating %s web ACL: %w", name, err)
	}
	return acl.Arn, nil
}
