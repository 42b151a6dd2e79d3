package components

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"imgcells/contract"
)

// dashboardSpec is everything the stack's dashboard shows, as plain names
// (resolved from the resources' outputs).
type dashboardSpec struct {
	Stack             string
	DistributionID    string
	AdditionalMetrics bool // CloudFront's additional metrics are on (cache hit rate)
	Cells             []dashboardCell
}

// dashboardCell is one region's converter, API and replication routes.
type dashboardCell struct {
	Region   string
	Function string
	APIID    string
	// Replication are the routes that replicate from this region's buckets,
	// listed only when replication metrics are on (they come with RTC).
	Replication []replicationRoute
}

// replicationRoute is one replication rule: S3 publishes its latency in the
// source bucket's region with the dimensions SourceBucket, DestinationBucket
// and RuleId, only for rules with replication metrics enabled
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html).
type replicationRoute struct{ Source, Destination, RuleID string }

// widget is one dashboard widget (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

// layout places widgets left to right in rows of 24 units.
type layout struct {
	widgets []widget
	x, y, h int
}

func (l *layout) add(width, height int, w widget) {
	if l.x+width > 24 {
		l.x, l.y, l.h = 0, l.y+l.h, 0
	}
	w.X, w.Y, w.Width, w.Height = l.x, l.y, width, height
	l.widgets = append(l.widgets, w)
	l.x += width
	l.h = max(l.h, height)
}

func (l *layout) text(markdown string) {
	l.add(24, 2, widget{Type: "text", Properties: map[string]any{"markdown": markdown}})
}

// graph is a time-series widget of metrics in region; each metric is
// [namespace, name, dimension, value, …, {options}] or an expression object.
func (l *layout) graph(region, title string, metrics []any, extra map[string]any) {
	p := map[string]any{"title": title, "region": region, "view": "timeSeries", "stacked": false,
		"period": alarmPeriod, "metrics": metrics}
	maps.Copy(p, extra)
	l.add(6, 6, widget{Type: "metric", Properties: p})
}

// metric is one metrics-array entry.
func metric(namespace, name string, dims []string, opts map[string]any) []any {
	m := []any{namespace, name}
	for _, d := range dims {
		m = append(m, d)
	}
	return append(m, opts)
}

func stat(s, label string) map[string]any { return map[string]any{"stat": s, "label": label} }

// dashboardBody renders the stack's dashboard: CloudFront first (us-east-1),
// then one block per region.
func dashboardBody(s dashboardSpec) (string, error) {
	l := &layout{}
	cdn := []string{"DistributionId", s.DistributionID, "Region", "Global"}
	l.text(fmt.Sprintf("# imgcells %s\nCloudFront (metrics in us-east-1), then each region's converter. "+
		"Alarms notify each region's `alarms` topic; `pulumi stack output logGroups` names the logs.", s.Stack))
	l.graph(FrontRegion, "CloudFront requests", []any{metric("AWS/CloudFront", "Requests", cdn, stat("Sum", "requests"))}, nil)
	l.graph(FrontRegion, "CloudFront bytes downloaded", []any{metric("AWS/CloudFront", "BytesDownloaded", cdn, stat("Sum", "bytes"))}, nil)
	l.graph(FrontRegion, "CloudFront error rates (%)", []any{
		metric("AWS/CloudFront", "4xxErrorRate", cdn, stat("Average", "4xx %")),
		metric("AWS/CloudFront", "5xxErrorRate", cdn, stat("Average", "5xx %")),
	}, nil)
	if s.AdditionalMetrics {
		l.graph(FrontRegion, "CloudFront cache hit rate (%)", []any{metric("AWS/CloudFront", "CacheHitRate", cdn, stat("Average", "hit %"))}, nil)
		l.graph(FrontRegion, "Converter invocations per CloudFront miss", invocationsPerMiss(s, cdn), map[string]any{
			"annotations": map[string]any{"horizontal": []any{map[string]any{"value": 1, "label": "every miss converts: is the MRAP refusing CloudFront?"}}},
		})
	} else {
		l.add(6, 6, widget{Type: "text", Properties: map[string]any{"markdown": "Cache hit rate and converter invocations per " +
			"CloudFront miss need CloudFront's additional metrics: `pulumi config set imgcells:cdnAdditionalMetrics true`."}})
	}
	for _, c := range s.Cells {
		cellWidgets(l, c)
	}
	body, err := json.Marshal(map[string]any{"widgets": l.widgets})
	if err != nil {
		return "", fmt.Errorf("rendering the dashboard: %w", err)
	}
	return string(body), nil
}

// invocationsPerMiss divides every region's converter invocations by
// CloudFront's misses (requests × (1 − hit rate)). A working MRAP serves every
// stored variant, so only misses for new variants reach a converter and the
// ratio stays well under 1 once the catalogue is warm; near 1 means every miss
// converts. The dashboard can show it (one graph may hold several regions'
// metrics); an alarm cannot, since an alarm reads only its own region's metrics.
func invocationsPerMiss(s dashboardSpec, cdn []string) []any {
	var ids []string
	var metrics []any
	for i, c := range s.Cells {
		id := fmt.Sprintf("inv%d", i)
		ids = append(ids, id)
		metrics = append(metrics, metric("AWS/Lambda", "Invocations", []string{"FunctionName", c.Function},
			map[string]any{"stat": "Sum", "region": c.Region, "id": id, "visible": false}))
	}
	metrics = append(metrics,
		metric("AWS/CloudFront", "Requests", cdn, map[string]any{"stat": "Sum", "id": "req", "visible": false}),
		metric("AWS/CloudFront", "CacheHitRate", cdn, map[string]any{"stat": "Average", "id": "hit", "visible": false}),
		[]any{map[string]any{"id": "ratio", "label": "invocations per miss",
			"expression": fmt.Sprintf("(%s) / (req * (100 - hit) / 100)", strings.Join(ids, " + "))}},
	)
	return metrics
}

// cellWidgets are one region's converter, API, conversions and replication.
func cellWidgets(l *layout, c dashboardCell) {
	r := c.Region
	fn := []string{"FunctionName", c.Function}
	api := []string{"ApiId", c.APIID}
	own := []string{contract.MetricDimFunction, c.Function}
	l.text(fmt.Sprintf("## %s\nConverter `%s`, API `%s`.", r, c.Function, c.APIID))
	l.graph(r, "Converter invocations, errors, throttles", []any{
		metric("AWS/Lambda", "Invocations", fn, stat("Sum", "invocations")),
		metric("AWS/Lambda", "Errors", fn, stat("Sum", "errors")),
		metric("AWS/Lambda", "Throttles", fn, stat("Sum", "throttles")),
	}, nil)
	l.graph(r, "Converter concurrency", []any{metric("AWS/Lambda", "ConcurrentExecutions", fn, stat("Maximum", "concurrent"))}, nil)
	// Duration ends with the answer; the variant's store after it (the
	// bootstrap's extension) is PostRuntimeExtensionsDuration.
	l.graph(r, "Converter duration (ms)", []any{
		metric("AWS/Lambda", "Duration", fn, stat("p50", "p50")),
		metric("AWS/Lambda", "Duration", fn, stat("p95", "p95")),
		metric("AWS/Lambda", "Duration", fn, stat("p99", "p99")),
		metric("AWS/Lambda", "PostRuntimeExtensionsDuration", fn, stat("p95", "store after answer p95")),
	}, map[string]any{"annotations": map[string]any{"horizontal": []any{
		map[string]any{"value": contract.ConverterTimeout.Milliseconds(), "label": "timeout"}}}})
	l.graph(r, "Converter API requests", []any{
		metric("AWS/ApiGateway", "Count", api, stat("Sum", "requests")),
		metric("AWS/ApiGateway", "4xx", api, stat("Sum", "4xx")),
		metric("AWS/ApiGateway", "5xx", api, stat("Sum", "5xx")),
	}, nil)
	var count, p95 []any
	for _, f := range contract.MetricFormats {
		dims := append(append([]string{}, own...), contract.MetricDimFormat, string(f))
		count = append(count, metric(contract.MetricNamespace, contract.MetricConvertMs, dims, stat("SampleCount", string(f))))
		p95 = append(p95, metric(contract.MetricNamespace, contract.MetricConvertMs, dims, stat("p95", string(f))))
	}
	l.graph(r, "Conversions by output format", count, nil)
	l.graph(r, "Conversion time p95 by format (ms)", p95, nil)
	l.graph(r, "Bytes: originals read, variants made, saved", []any{
		metric(contract.MetricNamespace, contract.MetricBytesIn, own, stat("Sum", "originals")),
		metric(contract.MetricNamespace, contract.MetricBytesOut, own, stat("Sum", "variants")),
		metric(contract.MetricNamespace, contract.MetricBytesSaved, own, stat("Sum", "saved")),
	}, nil)
	l.graph(r, "Primary reads (replication lag), variants already stored (MRAP signal), S3 reads asked again", []any{
		metric(contract.MetricNamespace, contract.MetricConvertMs, own, stat("SampleCount", "conversions")),
		metric(contract.MetricNamespace, contract.MetricPrimaryRead, own, stat("Sum", "read from the primary bucket")),
		metric(contract.MetricNamespace, contract.MetricAlreadyStored, own, stat("Sum", "variant already stored")),
		metric(contract.MetricNamespace, contract.MetricS3Retries, own, stat("Sum", "original asked for again (S3 stalled)")),
	}, nil)
	if len(c.Replication) > 0 {
		var lat []any
		for _, rt := range c.Replication {
			lat = append(lat, metric("AWS/S3", "ReplicationLatency",
				[]string{"SourceBucket", rt.Source, "DestinationBucket", rt.Destination, "RuleId", rt.RuleID},
				stat("Maximum", rt.Source+" "+rt.RuleID)))
		}
		l.graph(r, "Replication latency (s)", lat, nil)
	}
}
