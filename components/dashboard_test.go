package components

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"imgcells/components/stackconfig"
	"imgcells/contract"
)

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
			Type       string `json:"type"`
			Properties struct {
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
	storeAfter := map[string]bool{} // the store after the answer, per region
	latency := map[string]bool{}
	for _, m := range metrics {
		if err := checkDims(n, fmt.Sprintf("dashboard %q %s/%s", m.widget, m.namespace, m.name), m.region, m.dims); err != nil {
			t.Error(err)
		}
		if fn := m.dims["FunctionName"] + m.dims[contract.MetricDimFunction]; fn != "" {
			perRegion[m.region]++
		}
		if m.name == "PostRuntimeExtensionsDuration" && m.dims["FunctionName"] != "" {
			storeAfter[m.region] = true
		}
		if m.name == "ReplicationLatency" {
			latency[m.dims["SourceBucket"]+" "+m.dims["RuleId"]] = true
		}
	}
	for _, r := range d.cfg.Regions {
		if perRegion[r] < 10 {
			t.Errorf("region %s has %d converter metrics on the dashboard", r, perRegion[r])
		}
		if !storeAfter[r] {
			t.Errorf("region %s: the converter's time after its answer (PostRuntimeExtensionsDuration) is not on the dashboard", r)
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
