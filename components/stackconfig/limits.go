package stackconfig

import (
	"strconv"
	"strings"
)

// What bounds the work strangers can cause: API Gateway throttling on each
// region's converter API, an optional AWS WAF rate-based rule at the CDN, and
// the converter's reserved concurrency (checked against the account's quota
// only by AWS, at deploy time).
const (
	// Defaults for each region's HTTP API stage ($default route), in requests
	// per second and requests at once. A request reaches the API only on a CDN
	// and MRAP miss, and each costs a conversion.
	DefaultAPIThrottleRate  = 100
	DefaultAPIThrottleBurst = 200
	// API Gateway's default account-level throttle per region, which a route's
	// limit cannot exceed: 10,000 requests per second, burst 5,000
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html,
	// "Amazon API Gateway quotas").
	MaxAPIThrottleRate  = 10000
	MaxAPIThrottleBurst = 5000

	// AWS WAF rate-based rules count requests per IP over a 5-minute window;
	// the lowest limit AWS accepts is 10 and the highest 2,000,000,000
	// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000

	// Lambda keeps at least 100 of a region's concurrency unreserved, so
	// reserving N per region needs a concurrency quota of N+100 there
	// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
	UnreservedConcurrencyFloor = 100
	// ConcurrencyQuotaCommand prints a region's Lambda concurrency quota.
	ConcurrencyQuotaCommand = "aws lambda get-account-settings --region REGION --query AccountLimit.ConcurrentExecutions"
)

// rateLimit reads imgcells:rateLimit: 0 (no web ACL) or a WAF limit.
func (p *parser) rateLimit() int {
	v, ok := p.raw[KeyRateLimit]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n != 0 && (n < MinRateLimit || n > MaxRateLimit) {
		p.failf(KeyRateLimit, "%q is not allowed: 0 for no web ACL, or requests per 5 minutes per IP from %d (AWS WAF's lowest) to %d",
			v, MinRateLimit, MaxRateLimit)
		return 0
	}
	return n
}

// QuotaNeeded is the regional Lambda concurrency quota a reservation needs.
func QuotaNeeded(reserved int) int { return reserved + UnreservedConcurrencyFloor }
