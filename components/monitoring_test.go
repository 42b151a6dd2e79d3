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

// dashboardMetric is one metric of the dashboard with the region it is read in.
type dashboardMetric struct {
	widget, region, namespace, name string
	dims                            map[string]string
}

// dashboardMetrics parses the dashboard body and returns its metrics; it fails
// the test on anything that is not a valid dashboard body.
func dashboardMetrics(t *testing.T, d *deployment) []dashboardMetric {
	t.Helper()
	dbs := d.ofType(tDashboard)
	if len(dbs) != 1 {
		t.Fatalf("%d dashboards", len(dbs))
	}
	if d.regionOf(dbs[0]) != FrontRegion || str(dbs[0].Inputs, "dashboardName") != DashboardName(d.stack) {
		t.Errorf("dashboard %q in %s", str(dbs[0].Inputs, "dashboardName"), d.regionOf(dbs[0]))
	}
	var body struct {
		Widgets []struct {
			Type              string `json:"type"`
			X, Y, Width, High int
			Properties        struct {
				Title   string  `json:"title"`
				Region  string  `json:"region"`
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(str(dbs[0].Inputs, "dashboardBody")), &body); err != nil {
		t.Fatalf("dashboard body is not JSON: %v", err)
	}
	var out []dashboardMetric
	for _, w := range body.Widgets {
		if w.Type != "metric" {
			continue
		}
		ids := map[string]bool{}
		var exprs []string
		for _, m := range w.Properties.Metrics {
			opts, _ := m[len(m)-1].(map[string]any)
			if e, ok := opts["expression"].(string); ok {
				exprs = append(exprs, e)
				continue
			}
			if len(m) < 3 || len(m)%2 != 1 {
				t.Fatalf("widget %q: metric %v is not [namespace, name, dimension, value, …, options]", w.Properties.Title, m)
			}
			dm := dashboardMetric{widget: w.Properties.Title, region: w.Properties.Region, dims: map[string]string{}}
			dm.namespace, _ = m[0].(string)
			dm.name, _ = m[1].(string)
			for i := 2; i+1 < len(m); i += 2 {
				k, _ := m[i].(string)
				v, _ := m[i+1].(string)
				dm.dims[k] = v
			}
			if r, ok := opts["region"].(string); ok {
				dm.region = r
			}
			if id, ok := opts["id"].(string); ok {
				ids[id] = true
			}
			out = append(out, dm)
		}
		for _, e := range exprs {
			for _, word := range strings.FieldsFunc(e, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') }) {
				if word[0] >= 'a' && word[0] <= 'z' && !ids[word] {
					t.Errorf("widget %q: expression %q uses %q, which no metric of the widget defines", w.Properties.Title, e, word)
				}
			}
		}
	}
	return out
}

// The dashboard is valid JSON whose every metric names a real function, API,
// distribution, bucket or replication rule of the stack, read in that
// resource's region; every region has its converter's graphs, and with
// replication metrics on every replication rule its latency.
func checkDashboard(t *testing.T, d *deployment) {
	n := d.names(t)
	metrics := dashboardMetrics(t, d)
	perRegion := map[string]int{}
	latency := map[string]bool{}
	for _, m := range metrics {
		if err := checkDims(n, fmt.Sprintf("dashboard %q %s/%s", m.widget, m.namespace, m.name), m.region, m.dims); err != nil {
			t.Error(err)
		}
		if fn := m.dims["FunctionName"] + m.dims[contract.MetricDimFunction]; fn != "" {
			perRegion[m.region]++
		}
		if m.name == "ReplicationLatency" {
			latency[m.dims["SourceBucket"]+" "+m.dims["RuleId"]] = true
		}
	}
	for _, r := range d.cfg.Regions {
		if perRegion[r] < 10 {
			t.Errorf("region %s has %d converter metrics on the dashboard", r, perRegion[r])
		}
	}
	metricsOn := false
	for src, rules := range n.ruleIDs {
		for _, id := range rules {
			on := n.withMetrics[src+" "+id]
			metricsOn = metricsOn || on
			if got := latency[src+" "+id]; got != on {
				t.Errorf("replication latency of %s %s on the dashboard: %v, the rule's replication metrics on: %v", src, id, got, on)
			}
		}
	}
	if metricsOn != (d.cfg.ReplicationTimeControl && len(d.cfg.Regions) > 1) {
		t.Errorf("replication metrics on some rule: %v, imgcells:replicationTimeControl %v", metricsOn, d.cfg.ReplicationTimeControl)
	}
	subs := d.ofType(tMonitoring)
	if d.cfg.Monitoring.CDNAdditionalMetrics != (len(subs) == 1) {
		t.Errorf("%d monitoring subscriptions with imgcells:cdnAdditionalMetrics %v", len(subs), d.cfg.Monitoring.CDNAdditionalMetrics)
	}
	for _, s := range subs {
		if str(s.Inputs, "distributionId") != n.distribution ||
			str(s.Inputs, "monitoringSubscription", "realtimeMetricsSubscriptionConfig", "realtimeMetricsSubscriptionStatus") != "Enabled" {
			t.Errorf("monitoring subscription %v", s.Inputs)
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

// Adding a region adds its alarms, its topic and its dashboard graphs.
func TestAddingARegionAddsItsAlarmsAndGraphs(t *testing.T) {
	base := stackconfig.Raw{stackconfig.KeyRegions: `["us-east-1","eu-west-1"]`, stackconfig.KeyPrimaryRegion: "us-east-1",
		stackconfig.KeyOriginVerifySecret: testSecret}
	const added = "ap-northeast-1"
	before := mustPreview(t, "prod", base)
	after := mustPreview(t, "prod", with(base, stackconfig.KeyRegions, `["us-east-1","eu-west-1","`+added+`"]`))
	count := func(d *deployment) (alarms, topics, graphs int) {
		for _, a := range append(d.ofType(tAlarm), d.ofType(tTopic)...) {
			if d.regionOf(a) == added {
				if a.Type == tAlarm {
					alarms++
				} else {
					topics++
				}
			}
		}
		for _, m := range dashboardMetrics(t, d) {
			if m.region == added {
				graphs++
			}
		}
		return alarms, topics, graphs
	}
	if a, tp, g := count(before); a+tp+g != 0 {
		t.Fatalf("before: %d alarms, %d topics, %d metrics in %s", a, tp, g, added)
	}
	a, tp, g := count(after)
	if a != 4 || tp != 1 || g < 10 {
		t.Errorf("after adding %s: %d alarms, %d topics, %d dashboard metrics there; want 4, 1 and its converter's graphs", added, a, tp, g)
	}
	checkMonitoring(t, after)
	checkDashboard(t, after)
}
