package components

import (
	"encoding/json"
	"testing"

	"imgcells/verify"
)

// The outputs name the dashboard, every alarm topic and log group of the stack,
// and give cmd/verify what it reads: verify.ParseOutputs accepts them and finds
// the stack's primary region, domain, signing, AVIF switch and distribution in them.
func checkMonitoringOutputs(t *testing.T, d *deployment) {
	n := d.names(t)
	raw, err := json.Marshal(d.outputs)
	if err != nil {
		t.Fatal(err)
	}
	o, err := verify.ParseOutputs(raw)
	if err != nil {
		t.Fatalf("cmd/verify cannot read the outputs: %v", err)
	}
	if o.PrimaryRegion() != d.cfg.PrimaryRegion || o.HasDomain() != (d.cfg.Domain != "") || o.Signing != d.cfg.Edge.Signing ||
		o.AVIF == nil || *o.AVIF != d.cfg.Edge.AVIF || o.DistributionID != n.distribution || len(o.Regions()) != len(d.cfg.Regions) {
		t.Errorf("verify reads primary %q domain %v signing %v avif %v distribution %q regions %v", o.PrimaryRegion(), o.HasDomain(), o.Signing, o.AVIF, o.DistributionID, o.Regions())
	}
	var out struct {
		DashboardName string            `json:"dashboardName"`
		AlarmTopics   map[string]string `json:"alarmTopics"`
		LogGroups     map[string]string `json:"logGroups"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if out.DashboardName != DashboardName(d.stack) {
		t.Errorf("dashboardName %q", out.DashboardName)
	}
	groups := map[string]string{} // name → region
	for _, g := range d.ofType(tLogGroup) {
		groups[str(g.Outputs, "name")] = d.regionOf(g)
	}
	wantGroups := 2*len(d.cfg.Regions) + 1 // a converter and an API access log per region, the purge
	if groups[out.LogGroups["purge"]] != d.cfg.PrimaryRegion {
		t.Errorf("logGroups.purge %q is no log group in the primary region", out.LogGroups["purge"])
	}
	if d.cfg.Monitoring.AccessLogs {
		wantGroups++
		if groups[out.LogGroups["cdn"]] != FrontRegion {
			t.Errorf("logGroups.cdn %q is no us-east-1 log group", out.LogGroups["cdn"])
		}
	}
	if len(out.LogGroups) != wantGroups || len(groups) != wantGroups {
		t.Errorf("logGroups %v for %d log groups in the stack, want %d", out.LogGroups, len(groups), wantGroups)
	}
	for _, r := range d.cfg.Regions {
		for _, kind := range []string{"converter/", "api/"} {
			if g := out.LogGroups[kind+r]; groups[g] != r {
				t.Errorf("logGroups.%s%s = %q, not a log group in %s", kind, r, g, r)
			}
		}
		if n.topics[out.AlarmTopics[r]] != r {
			t.Errorf("alarmTopics.%s = %q, not a topic in %s", r, out.AlarmTopics[r], r)
		}
		if d.cfg.Domain != "" {
			dn := d.named("aws:apigatewayv2/domainName:DomainName", child(CellName(r), "api-domain"))
			if dn == nil || o.APIDomainTargets[r] != str(dn.Outputs, "domainNameConfiguration", "targetDomainName") {
				t.Errorf("apiDomainTargets.%s = %q, not that region's API domain target", r, o.APIDomainTargets[r])
			}
		}
	}
	if n.topics[out.AlarmTopics["cdn"]] != FrontRegion {
		t.Errorf("alarmTopics.cdn = %q, not a us-east-1 topic", out.AlarmTopics["cdn"])
	}
}
