package components

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"imgcells/components/stackconfig"
	"imgcells/contract"
)

const (
	tAlarm        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	tTopic        = "aws:sns/topic:Topic"
	tSubscription = "aws:sns/topicSubscription:TopicSubscription"
	tDashboard    = "aws:cloudwatch/dashboard:Dashboard"
	tMetricFilter = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	tMonitoring   = "aws:cloudfront/monitoringSubscription:MonitoringSubscription"
	tDeliverySrc  = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
	tDeliveryDst  = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"
	tDelivery     = "aws:cloudwatch/logDelivery:LogDelivery"
)

// regionOf is the region of the provider a resource is created with.
func (d *deployment) regionOf(r *recorded) string {
	p := providerName(r)
	if p == "aws-front" || p == "aws-native-front" {
		return FrontRegion
	}
	return strings.TrimPrefix(p, "aws-")
}

// names is what the monitoring may refer to, per region: function names, API
// ids, bucket names, topic ARNs, log group ARNs; and the distribution's id.
type names struct {
	functions, apis, buckets, topics, logGroups map[string]string // value → region
	distribution                                string
	ruleIDs                                     map[string][]string // source bucket → replication rule ids
	withMetrics                                 map[string]bool     // "<source bucket> <rule id>" of rules with replication metrics
}

func (d *deployment) names(t *testing.T) names {
	t.Helper()
	n := names{functions: map[string]string{}, apis: map[string]string{}, buckets: map[string]string{},
		topics: map[string]string{}, logGroups: map[string]string{}, ruleIDs: map[string][]string{}, withMetrics: map[string]bool{}}
	for _, r := range d.resources {
		region := d.regionOf(r)
		switch r.Type {
		case tFunction:
			n.functions[str(r.Outputs, "name")] = region
		case tAPI:
			n.apis[r.Name+"-id"] = region // the mocks' id
		case tBucket:
			n.buckets[str(r.Outputs, "bucket")] = region
		case tTopic:
			n.topics[str(r.Outputs, "arn")] = region
		case tLogGroup:
			n.logGroups[str(r.Outputs, "arn")] = region
		case tDistribution:
			n.distribution = r.Name + "-id"
		case tReplication:
			src := str(r.Inputs, "bucket")
			for i := range get(r.Inputs, "rules").ArrayValue() {
				id := str(r.Inputs, "rules", i, "id")
				n.ruleIDs[src] = append(n.ruleIDs[src], id)
				n.withMetrics[src+" "+id] = str(r.Inputs, "rules", i, "destination", "metrics", "status") == "Enabled"
			}
		}
	}
	if n.distribution == "" || len(n.functions) == 0 {
		t.Fatal("no distribution or no function recorded")
	}
	return n
}

// checkDims checks that every dimension names a real resource of the stack in
// region: a function, an API, a distribution (us-east-1), a bucket or a
// replication rule of the source bucket.
func checkDims(n names, where, region string, dims map[string]string) error {
	var problems []string
	bad := func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) }
	for k, v := range dims {
		switch k {
		case "FunctionName", contract.MetricDimFunction:
			if r, ok := n.functions[v]; !ok || r != region {
				bad("%s=%q is no function of the stack in %s", k, v, region)
			}
		case "ApiId":
			if r, ok := n.apis[v]; !ok || r != region {
				bad("ApiId=%q is no API of the stack in %s", v, region)
			}
		case "DistributionId":
			if v != n.distribution || region != FrontRegion || dims["Region"] != "Global" {
				bad("DistributionId=%q in %s (Region=%q): want %q in us-east-1 with Region=Global", v, region, dims["Region"], n.distribution)
			}
		case "SourceBucket":
			if r, ok := n.buckets[v]; !ok || r != region {
				bad("SourceBucket=%q is no bucket of the stack in %s", v, region)
			}
			if !slices.Contains(n.ruleIDs[v], dims["RuleId"]) {
				bad("RuleId=%q is no replication rule of %s (%v)", dims["RuleId"], v, n.ruleIDs[v])
			}
		case "DestinationBucket":
			if _, ok := n.buckets[v]; !ok {
				bad("DestinationBucket=%q is no bucket of the stack", v)
			}
		case "Region", "RuleId", contract.MetricDimFormat:
		default:
			bad("unexpected dimension %s=%q", k, v)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", where, strings.Join(problems, "; "))
	}
	return nil
}

// alarmDims are the dimensions of every metric an alarm reads.
func alarmDims(a *recorded) []map[string]string {
	toMap := func(path ...any) map[string]string {
		m := map[string]string{}
		if v := get(a.Inputs, path...); v.IsObject() {
			for k := range v.ObjectValue() {
				m[string(k)] = str(a.Inputs, append(path, string(k))...)
			}
		}
		return m
	}
	if str(a.Inputs, "metricName") != "" {
		return []map[string]string{toMap("dimensions")}
	}
	var out []map[string]string
	for i := range get(a.Inputs, "metricQueries").ArrayValue() {
		if str(a.Inputs, "metricQueries", i, "metric", "metricName") != "" {
			out = append(out, toMap("metricQueries", i, "metric", "dimensions"))
		}
	}
	return out
}

// Every alarm is on its region's provider, reads metrics of resources of the
// stack in that region, and notifies a topic of that region; every region has
// the converter's four alarms, the front the distribution's; every topic gets
// the e-mail subscription exactly when one is configured.
func checkMonitoring(t *testing.T, d *deployment) {
	n := d.names(t)
	roles := map[string][]string{}
	for _, a := range d.ofType(tAlarm) {
		region := d.regionOf(a)
		comp := d.component(a)
		roles[comp.Name] = append(roles[comp.Name], strings.TrimPrefix(a.Name, comp.Name+"-alarm-"))
		dims := alarmDims(a)
		if len(dims) == 0 {
			t.Errorf("alarm %s reads no metric", a.Name)
		}
		for _, m := range dims {
			if err := checkDims(n, "alarm "+a.Name, region, m); err != nil {
				t.Error(err)
			}
		}
		for _, key := range []string{"alarmActions", "okActions"} {
			actions := strs(a.Inputs, key)
			if len(actions) == 0 {
				t.Errorf("alarm %s has no %s", a.Name, key)
			}
			for _, arn := range actions {
				if r, ok := n.topics[arn]; !ok || r != region {
					t.Errorf("alarm %s in %s notifies %s, not a topic of its region", a.Name, region, arn)
				}
			}
		}
		if str(a.Inputs, "treatMissingData") != "notBreaching" || str(a.Inputs, "alarmDescription") == "" {
			t.Errorf("alarm %s: missing data %q, description %q", a.Name, str(a.Inputs, "treatMissingData"), str(a.Inputs, "alarmDescription"))
		}
	}
	for _, region := range d.cfg.Regions {
		got := roles[CellName(region)]
		slices.Sort(got)
		if want := []string{"already-stored", "duration", "errors", "throttles"}; !slices.Equal(got, want) {
			t.Errorf("%s alarms %v, want %v", region, got, want)
		}
	}
	if got := roles[FrontName]; !slices.Equal(got, []string{"cdn-5xx"}) {
		t.Errorf("front alarms %v, want [cdn-5xx]", got)
	}
	if len(d.ofType(tMetricFilter)) != 0 {
		t.Errorf("metric filters exist; the converter's metrics come from its log line (EMF)")
	}
	subs := d.ofType(tSubscription)
	if want := 0; d.cfg.Monitoring.AlarmEmail != "" {
		want = len(d.ofType(tTopic))
		if len(subs) != want {
			t.Errorf("%d e-mail subscriptions for %d topics", len(subs), want)
		}
	} else if len(subs) != want {
		t.Errorf("%d subscriptions without imgcells:alarmEmail", len(subs))
	}
	for _, s := range subs {
		if r, ok := n.topics[str(s.Inputs, "topic")]; !ok || r != d.regionOf(s) ||
			str(s.Inputs, "protocol") != "email" || str(s.Inputs, "endpoint") != d.cfg.Monitoring.AlarmEmail {
			t.Errorf("subscription %s: topic %q protocol %q endpoint %q", s.Name, str(s.Inputs, "topic"), str(s.Inputs, "protocol"), str(s.Inputs, "endpoint"))
		}
	}
	checkAccessLogs(t, d, n)
	checkMonitoringOutputs(t, d)
}

// Every converter API stage logs JSON lines with the request id the converter
// logs too, to a log group of its region; CloudFront's standard logs go to a
// us-east-1 log group exactly when imgcells:accessLogs is on.
func checkAccessLogs(t *testing.T, d *deployment, n names) {
	stages := d.ofType(tStage)
	if len(stages) != len(d.cfg.Regions) {
		t.Errorf("%d stages for %d regions", len(stages), len(d.cfg.Regions))
	}
	for _, s := range stages {
		arn := str(s.Inputs, "accessLogSettings", "destinationArn")
		if r, ok := n.logGroups[arn]; !ok || r != d.regionOf(s) {
			t.Errorf("stage %s logs to %q, not a log group of its region", s.Name, arn)
		}
		format := str(s.Inputs, "accessLogSettings", "format")
		var line map[string]string
		if err := json.Unmarshal([]byte(format), &line); err != nil || line["requestId"] != "$context.requestId" {
			t.Errorf("stage %s access log format %q is not JSON with requestId $context.requestId (%v)", s.Name, format, err)
		}
	}
	for _, g := range d.ofType(tLogGroup) {
		if num(g.Inputs, "retentionInDays") != d.cfg.LogRetentionDays {
			t.Errorf("log group %s keeps %d days, want imgcells:logRetentionDays %d", g.Name, num(g.Inputs, "retentionInDays"), d.cfg.LogRetentionDays)
		}
	}
	srcs, dsts, dels := d.ofType(tDeliverySrc), d.ofType(tDeliveryDst), d.ofType(tDelivery)
	if !d.cfg.Monitoring.AccessLogs {
		if len(srcs)+len(dsts)+len(dels) != 0 {
			t.Errorf("CloudFront log delivery without imgcells:accessLogs")
		}
		return
	}
	if len(srcs) != 1 || len(dsts) != 1 || len(dels) != 1 {
		t.Fatalf("%d sources, %d destinations, %d deliveries", len(srcs), len(dsts), len(dels))
	}
	dist := d.ofType(tDistribution)[0]
	if str(srcs[0].Inputs, "resourceArn") != str(dist.Outputs, "arn") || str(srcs[0].Inputs, "logType") != "ACCESS_LOGS" {
		t.Errorf("delivery source %v does not take the distribution's access logs", srcs[0].Inputs)
	}
	if r, ok := n.logGroups[str(dsts[0].Inputs, "deliveryDestinationConfiguration", "destinationResourceArn")]; !ok || r != FrontRegion {
		t.Errorf("delivery destination %v is not a us-east-1 log group", dsts[0].Inputs)
	}
	if str(dels[0].Inputs, "deliverySourceName") != str(srcs[0].Inputs, "name") || str(dels[0].Inputs, "deliveryDestinationArn") != str(dsts[0].Outputs, "arn") {
		t.Errorf("the delivery does not join the source and destination: %v", dels[0].Inputs)
	}
	for _, r := range append(append(srcs, dsts...), dels...) {
		if d.regionOf(r) != FrontRegion {
			t.Errorf("%s %s is in %s; CloudFront log delivery is configured in us-east-1", r.Type, r.Name, d.regionOf(r))
		}
	}
}

// Every option on: an e-mail, CloudFront's additional metrics and access logs.
func TestMonitoringWithEveryOption(t *testing.T) {
	raw := with(stackFile(t, "dev"), stackconfig.KeyAlarmEmail, "ops@example.com",
		stackconfig.KeyCDNAdditionalMetrics, "true", stackconfig.KeyAccessLogs, "true", stackconfig.KeyReplicationTimeControl, "true")
	d := mustPreview(t, "dev", raw)
	t.Run("monitoring", func(t *testing.T) { checkMonitoring(t, d) })
	t.Run("dashboard", func(t *testing.T) { checkDashboard(t, d) })
}
