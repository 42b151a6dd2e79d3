package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components/stackconfig"
	"imgcells/contract"
)

// alarmPeriod is the period, in seconds, every alarm evaluates.
const alarmPeriod = 300

// alarmMinSamples is the fewest requests (or conversions) in a period for a
// rate alarm to judge: below it, one failure among three requests is noise.
const alarmMinSamples = 20

// metricQuery is one metric an alarm reads: id (for expressions), namespace,
// name, statistic (Sum, Average, p95, …) and dimensions.
type metricQuery struct {
	id, namespace, name, stat string
	dims                      pulumi.StringMap
}

// alarmDef is one alarm: on a single metric, or on an expression over queries.
type alarmDef struct {
	role        string // the child role: <component>-alarm-<role>
	description string
	comparison  string
	threshold   float64
	periods     int // evaluated
	toAlarm     int // of which breaching
	expression  string
	queries     []metricQuery
}

// regionalAlarms watch one region's converter and its API. CloudWatch
// evaluates an alarm only on metrics of its own region, and an alarm notifies
// only an SNS topic of its own region (PutMetricAlarm refuses another region's
// topic with "Invalid region … specified. Only <region> is supported", as
// https://github.com/cds-snc/notification-terraform/pull/128 records), so each
// region has its own alarms and topic, on its own provider. Metric names and
// dimensions: Lambda's (FunctionName), HTTP APIs' (ApiId; Count, 4xx, 5xx:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html)
// and the converter's own (contract.MetricNamespace). The rates use metric
// math's IF, which alarms accept
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
func regionalAlarms(region string, fn, apiID pulumi.StringInput, t stackconfig.Thresholds) []alarmDef {
	lambdaDims := pulumi.StringMap{"FunctionName": fn}
	apiDims := pulumi.StringMap{"ApiId": apiID}
	ownDims := pulumi.StringMap{contract.MetricDimFunction: fn}
	timeoutMs := float64(contract.ConverterTimeout.Milliseconds())
	rate := func(part, whole string) string {
		return fmt.Sprintf("IF(%s >= %d, 100 * %s / %s, 0)", whole, alarmMinSamples, part, whole)
	}
	return []alarmDef{
		{
			role: "errors",
			description: fmt.Sprintf("imgcells %s: more than %d%% of the converter API's requests answered 5xx. "+
				"Look at the converter's log group (level ERROR) and the API's access log (integrationError) in %s.",
				region, t.ErrorRatePercent, region),
			comparison: "GreaterThanThreshold", threshold: float64(t.ErrorRatePercent), periods: 3, toAlarm: 2,
			expression: rate("errors", "requests"),
			queries: []metricQuery{
				{id: "requests", namespace: "AWS/ApiGateway", name: "Count", stat: "Sum", dims: apiDims},
				{id: "errors", namespace: "AWS/ApiGateway", name: "5xx", stat: "Sum", dims: apiDims},
			},
		},
		{
			role: "throttles",
			description: fmt.Sprintf("imgcells %s: the converter was throttled %d or more times in 5 minutes: misses got 5xx. "+
				"Raise imgcells:converterReservedConcurrency or the region's Lambda concurrency quota.", region, t.Throttles),
			comparison: "GreaterThanOrEqualToThreshold", threshold: float64(t.Throttles), periods: 1, toAlarm: 1,
			queries: []metricQuery{{namespace: "AWS/Lambda", name: "Throttles", stat: "Sum", dims: lambdaDims}},
		},
		{
			role: "duration",
			description: fmt.Sprintf("imgcells %s: the converter's p95 duration passed %d%% of its %s timeout. "+
				"Look at convert_ms and fetch_ms in its log; raise imgcells:converterMemoryMb (CPU scales with it).",
				region, t.DurationPercent, contract.ConverterTimeout),
			comparison: "GreaterThanThreshold", threshold: timeoutMs * float64(t.DurationPercent) / 100, periods: 3, toAlarm: 2,
			queries: []metricQuery{{namespace: "AWS/Lambda", name: "Duration", stat: "p95", dims: lambdaDims}},
		},
		{
			role: "already-stored",
			description: fmt.Sprintf("imgcells %s: more than %d%% of conversions found their variant already stored, so "+
				"CloudFront fails over to the converter for variants the Multi-Region Access Point holds. Check the MRAP "+
				"policy, the origin access control and the transformed buckets' policies; run cmd/verify.",
				region, t.AlreadyStoredPercent),
			comparison: "GreaterThanThreshold", threshold: float64(t.AlreadyStoredPercent), periods: 3, toAlarm: 2,
			expression: rate("stored", "conversions"),
			queries: []metricQuery{
				{id: "conversions", namespace: contract.MetricNamespace, name: contract.MetricAlreadyStored, stat: "SampleCount", dims: ownDims},
				{id: "stored", namespace: contract.MetricNamespace, name: contract.MetricAlreadyStored, stat: "Sum", dims: ownDims},
			},
		},
	}
}

// cdnAlarms watch the distribution. CloudFront publishes its metrics in
// us-east-1 only, with the dimensions DistributionId and Region=Global
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html),
// so these alarms and their topic are the front's, on its us-east-1 provider.
func cdnAlarms(distributionID pulumi.StringInput, t stackconfig.Thresholds) []alarmDef {
	return []alarmDef{{
		role: "cdn-5xx",
		description: fmt.Sprintf("imgcells: CloudFront answered more than %d%% of requests with 5xx. The origin group "+
			"fails over to the converters, so look at each region's converter-errors alarm and API access log.", t.CDN5xxRatePercent),
		comparison: "GreaterThanThreshold", threshold: float64(t.CDN5xxRatePercent), periods: 3, toAlarm: 2,
		queries: []metricQuery{{namespace: "AWS/CloudFront", name: "5xxErrorRate", stat: "Average", dims: cdnDims(distributionID)}},
	}}
}

func cdnDims(distributionID pulumi.StringInput) pulumi.StringMap {
	return pulumi.StringMap{"DistributionId": distributionID, "Region": pulumi.String("Global")}
}

// newAlarmTopic is the SNS topic a component's alarms notify, with the
// optional e-mail subscription (confirmed by the recipient; until then AWS
// keeps it pending and delivers nothing).
func newAlarmTopic(ctx *pulumi.Context, component, email string, opts ...pulumi.ResourceOption) (*sns.Topic, error) {
	name := child(component, "alarms")
	topic, err := sns.NewTopic(ctx, name, &sns.TopicArgs{
		DisplayName: pulumi.String("imgcells alarms"),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s topic: %w", name, err)
	}
	if email != "" {
		if _, err := sns.NewTopicSubscription(ctx, name+"-email", &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(email),
		}, opts...); err != nil {
			return nil, fmt.Errorf("subscribing %s to %s: %w", email, name, err)
		}
	}
	return topic, nil
}

// newAlarm creates d as a child of component, notifying topic on ALARM and on
// OK. A period without data (no traffic) is not a breach.
func newAlarm(ctx *pulumi.Context, component string, d alarmDef, topic pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	name := child(component, "alarm-"+d.role)
	args := &cloudwatch.MetricAlarmArgs{
		AlarmDescription:   pulumi.String(d.description),
		ComparisonOperator: pulumi.String(d.comparison),
		Threshold:          pulumi.Float64(d.threshold),
		EvaluationPeriods:  pulumi.Int(d.periods),
		DatapointsToAlarm:  pulumi.Int(d.toAlarm),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       pulumi.Array{topic},
		OkActions:          pulumi.Array{topic},
	}
	if d.expression == "" {
		q := d.queries[0]
		args.Namespace, args.MetricName, args.Dimensions = pulumi.String(q.namespace), pulumi.String(q.name), q.dims
		args.Period = pulumi.Int(alarmPeriod)
		if strings.HasPrefix(q.stat, "p") {
			args.ExtendedStatistic = pulumi.String(q.stat)
		} else {
			args.Statistic = pulumi.String(q.stat)
		}
	} else {
		queries := cloudwatch.MetricAlarmMetricQueryArray{&cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String("e"), Expression: pulumi.String(d.expression), Label: pulumi.String(d.role), ReturnData: pulumi.Bool(true),
		}}
		for _, q := range d.queries {
			queries = append(queries, &cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.String(q.id),
				Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
					Namespace: pulumi.String(q.namespace), MetricName: pulumi.String(q.name), Dimensions: q.dims,
					Period: pulumi.Int(alarmPeriod), Stat: pulumi.String(q.stat),
				},
				ReturnData: pulumi.Bool(false),
			})
		}
		args.MetricQueries = queries
	}
	if _, err := cloudwatch.NewMetricAlarm(ctx, name, args, opts...); err != nil {
		return fmt.Errorf("creating alarm %s: %w", name, err)
	}
	return nil
}
