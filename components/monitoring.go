package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components/stackconfig"
	"imgcells/contract"
)

// Monitoring is what watches a stack: per region an alarm topic and the
// converter's alarms (children of that region's cell, on its provider); for
// the distribution an alarm topic, its alarms, the dashboard, and optionally
// CloudFront's additional metrics and access logs (children of the front, on
// its us-east-1 provider).
type Monitoring struct {
	Dashboard     *cloudwatch.Dashboard
	DashboardName string
	Topics        map[string]pulumi.StringOutput // region (or "cdn") → topic ARN
	LogGroups     map[string]pulumi.StringOutput // what → log group name
}

// DashboardName is the stack's dashboard, in the front's region.
func DashboardName(stack string) string { return "imgcells-" + dnsLabel(stack) }

// Monitor adds the stack's monitoring to its cells and front (Deploy calls it
// once every cell is linked).
func Monitor(ctx *pulumi.Context, cfg stackconfig.Config, cells map[string]*RegionalImageCell, front *GlobalFront) (*Monitoring, error) {
	m := &Monitoring{Topics: map[string]pulumi.StringOutput{}, LogGroups: map[string]pulumi.StringOutput{}}
	mon := cfg.Monitoring
	regions := contract.PrimaryFirst(cfg.PrimaryRegion, cfg.Regions)
	for _, region := range regions {
		c := cells[region]
		topic, err := newAlarmTopic(ctx, c.name, mon.AlarmEmail, c.opts...)
		if err != nil {
			return nil, err
		}
		m.Topics[region] = topic.Arn
		for _, d := range regionalAlarms(region, c.Function.Name, c.API.API.ID(), mon.Thresholds) {
			if err := newAlarm(ctx, c.name, d, topic.Arn, c.opts...); err != nil {
				return nil, err
			}
		}
		m.LogGroups["converter/"+region] = c.LogGroup
		m.LogGroups["api/"+region] = c.API.AccessLogs.Name
	}

	in := []pulumi.ResourceOption{pulumi.Parent(front)}
	topic, err := newAlarmTopic(ctx, FrontName, mon.AlarmEmail, in...)
	if err != nil {
		return nil, err
	}
	m.Topics["cdn"] = topic.Arn
	distID := front.Distribution.ID().ToStringOutput()
	for _, d := range cdnAlarms(distID, mon.Thresholds) {
		if err := newAlarm(ctx, FrontName, d, topic.Arn, in...); err != nil {
			return nil, err
		}
	}
	if mon.CDNAdditionalMetrics {
		name := child(FrontName, "cdn-additional-metrics")
		if _, err := cloudfront.NewMonitoringSubscription(ctx, name, &cloudfront.MonitoringSubscriptionArgs{
			DistributionId: distID,
			MonitoringSubscription: &cloudfront.MonitoringSubscriptionMonitoringSubscriptionArgs{
				RealtimeMetricsSubscriptionConfig: &cloudfront.MonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfigArgs{
					RealtimeMetricsSubscriptionStatus: pulumi.String("Enabled"),
				},
			},
		}, in...); err != nil {
			return nil, fmt.Errorf("creating %s: %w", name, err)
		}
	}
	if mon.AccessLogs {
		g, err := newCDNAccessLogs(ctx, FrontName, "imgcells-"+dnsLabel(ctx.Stack()), front.DistributionARN, cfg.LogRetentionDays, in...)
		if err != nil {
			return nil, err
		}
		m.LogGroups["cdn"] = g.Name
	}

	m.DashboardName = DashboardName(ctx.Stack())
	body := dashboardInputs(ctx.Stack(), cfg, regions, cells, distID)
	m.Dashboard, err = cloudwatch.NewDashboard(ctx, child(FrontName, "dashboard"), &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(m.DashboardName),
		DashboardBody: body,
	}, in...)
	if err != nil {
		return nil, fmt.Errorf("creating the dashboard: %w", err)
	}
	return m, nil
}

// dashboardInputs resolves the names the dashboard shows and renders it.
func dashboardInputs(stack string, cfg stackconfig.Config, regions []string, cells map[string]*RegionalImageCell, distID pulumi.StringOutput) pulumi.StringOutput {
	const perCell = 3 // function, API id, source bucket
	inputs := []any{distID}
	for _, r := range regions {
		c := cells[r]
		inputs = append(inputs, c.Function.Name, c.API.API.ID().ToStringOutput(), c.Source.Name)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		spec := dashboardSpec{Stack: stack, DistributionID: v[0].(string), AdditionalMetrics: cfg.Monitoring.CDNAdditionalMetrics}
		source := map[string]string{}
		for i, r := range regions {
			base := 1 + i*perCell
			spec.Cells = append(spec.Cells, dashboardCell{Region: r, Function: v[base].(string), APIID: v[base+1].(string)})
			source[r] = v[base+2].(string)
		}
		// Replication metrics come with RTC, which only the main source bucket's
		// rules use (LinkCells, replicate).
		if cfg.ReplicationTimeControl {
			for _, other := range regions[1:] { // regions[0] is the primary
				spec.Cells[0].Replication = append(spec.Cells[0].Replication,
					replicationRoute{source[regions[0]], source[other], replicationRuleID(other)})
			}
		}
		return dashboardBody(spec)
	}).(pulumi.StringOutput)
}

// replicationRuleID is the id replicate gives the rule towards region.
func replicationRuleID(region string) string { return "to-" + region }

// monitoringOutputs are where to look (dashboard, alarm topics, every log group)
// and what cmd/verify needs beyond the front's outputs.
func monitoringOutputs(cfg stackconfig.Config, cells map[string]*RegionalImageCell, front *GlobalFront, m *Monitoring) pulumi.Map {
	topics, logs := pulumi.StringMap{}, pulumi.StringMap{}
	for k, v := range m.Topics {
		topics[k] = v
	}
	for k, v := range m.LogGroups {
		logs[k] = v
	}
	out := pulumi.Map{
		"dashboardName": pulumi.String(m.DashboardName),
		"dashboardUrl": pulumi.String(fmt.Sprintf(
			"https://console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s", FrontRegion, m.DashboardName)),
		"alarmTopics":    topics,
		"logGroups":      logs,
		"distributionId": front.Distribution.ID(),
		"signing":        pulumi.Bool(cfg.Edge.Signing),
		"avif":           pulumi.Bool(cfg.Edge.AVIF),
	}
	if cfg.Domain != "" {
		targets := pulumi.StringMap{}
		for region, c := range cells {
			targets[region] = c.API.DomainTarget
		}
		out["apiDomainTargets"] = targets
	}
	return out
}
