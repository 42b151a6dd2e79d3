package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// apiAccessLogFormat is one JSON object per request to a converter API.
// requestId is the id the converter's own log line carries as request_id (the
// payload 2.0 event's requestContext.requestId), so an access log line and the
// converter's line join on it; lambdaRequestId is the invocation's id, the
// one the Lambda runtime's START/END/REPORT lines show. Variables:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
const apiAccessLogFormat = `{"requestId":"$context.requestId","time":"$context.requestTime",` +
	`"method":"$context.httpMethod","path":"$context.path","status":"$context.status",` +
	`"responseLength":"$context.responseLength","latencyMs":"$context.responseLatency",` +
	`"integrationStatus":"$context.integrationStatus","integrationLatencyMs":"$context.integrationLatency",` +
	`"integrationError":"$context.integrationErrorMessage","lambdaRequestId":"$context.integration.requestId",` +
	`"domain":"$context.domainName","sourceIp":"$context.identity.sourceIp"}`

// newLogGroup creates a log group kept retentionDays, named by Pulumi after
// its logical name (so `pulumi stack output logGroups` is where to find it).
func newLogGroup(ctx *pulumi.Context, name string, retentionDays int, opts ...pulumi.ResourceOption) (*cloudwatch.LogGroup, error) {
	g, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(retentionDays),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating log group %s: %w", name, err)
	}
	return g, nil
}

// apiAccessLogs is a stage's access log settings: the JSON format above into
// group. HTTP APIs need no account-level logging role; the deployer's
// logs:CreateLogDelivery and logs:PutResourcePolicy are enough
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html).
func apiAccessLogs(group *cloudwatch.LogGroup) *apigatewayv2.StageAccessLogSettingsArgs {
	return &apigatewayv2.StageAccessLogSettingsArgs{DestinationArn: group.Arn, Format: pulumi.String(apiAccessLogFormat)}
}

// newCDNAccessLogs delivers the distribution's standard logs (v2) as JSON to a
// log group. Standard logging v2 goes through CloudWatch Logs' vended-log
// delivery (a delivery source for the distribution, a destination, and the
// delivery joining them), configured in us-east-1, the front's provider
// region; it needs no S3 bucket ACLs, which legacy logging (the
// distribution's loggingConfig, S3 only) requires and this stack's private
// buckets refuse. https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
func newCDNAccessLogs(ctx *pulumi.Context, front, prefix string, distributionARN pulumi.StringInput, retentionDays int,
	opts ...pulumi.ResourceOption) (*cloudwatch.LogGroup, error) {
	name := child(front, "cdn-access-logs")
	group, err := newLogGroup(ctx, name, retentionDays, opts...)
	if err != nil {
		return nil, err
	}
	// Delivery sources and destinations are named per account and region.
	deliveryName := truncate(prefix+"-cdn-access", 60)
	src, err := cloudwatch.NewLogDeliverySource(ctx, name+"-source", &cloudwatch.LogDeliverySourceArgs{
		Name:        pulumi.String(deliveryName),
		LogType:     pulumi.String("ACCESS_LOGS"),
		ResourceArn: distributionARN,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s delivery source: %w", name, err)
	}
	dst, err := cloudwatch.NewLogDeliveryDestination(ctx, name+"-destination", &cloudwatch.LogDeliveryDestinationArgs{
		Name:         pulumi.String(deliveryName),
		OutputFormat: pulumi.String("json"),
		DeliveryDestinationConfiguration: &cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs{
			DestinationResourceArn: group.Arn,
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s delivery destination: %w", name, err)
	}
	if _, err := cloudwatch.NewLogDelivery(ctx, name+"-delivery", &cloudwatch.LogDeliveryArgs{
		DeliverySourceName:     src.Name,
		DeliveryDestinationArn: dst.Arn,
	}, opts...); err != nil {
		return nil, fmt.Errorf("delivering %s: %w", name, err)
	}
	return group, nil
}

// truncate cuts s to at most n bytes, without a trailing hyphen.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for len(s) > n || (len(s) > 0 && s[len(s)-1] == '-') {
		s = s[:len(s)-1]
	}
	return s
}
