package httpapi

import (
	"log/slog"

	"imgcells/contract"
	"imgcells/converter/store"
)

// The converter's CloudWatch metrics ride in its log line in the Embedded
// Metric Format (see contract.MetricNamespace): an "_aws" block names members
// of the line as metrics and dimensions, and CloudWatch Logs extracts them.
// Only a conversion (a 200 image or a 302 to the stored oversized variant)
// carries the block, so every sample is one conversion.

// emfMetric is one MetricDefinition: a member of the line and its unit.
type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// emfDirective is one MetricDirective.
type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

// emfBlock is the "_aws" member: the metrics' timestamp in milliseconds since
// the epoch, and the directives.
type emfBlock struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// emfMetrics are the members published as metrics. convert_ms, bytes_in and
// bytes_out are members the line has anyway; metricAttrs adds the others.
var emfMetrics = []emfMetric{
	{contract.MetricConvertMs, "Milliseconds"},
	{contract.MetricBytesIn, "Bytes"},
	{contract.MetricBytesOut, "Bytes"},
	{contract.MetricBytesSaved, "Bytes"},
	{contract.MetricPrimaryRead, "Count"},
	{contract.MetricAlreadyStored, "Count"},
	{contract.MetricS3Retries, "Count"},
}

// emfDimensions publishes each metric per function and format, and per
// function alone (the totals the alarms watch).
var emfDimensions = [][]string{
	{contract.MetricDimFunction, contract.MetricDimFormat},
	{contract.MetricDimFunction},
}

// metricAttrs are the members a conversion's log line adds for its metrics:
// the "_aws" block, the dimensions' values and the metrics the line lacks.
// Without a function name (outside Lambda) or a conversion there are none.
func (h *Handler) metricAttrs(r *record) []slog.Attr {
	if h.function == "" || r.status >= 400 || r.bytesOut == 0 {
		return nil
	}
	block := emfBlock{
		Timestamp: r.start.UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace: contract.MetricNamespace, Dimensions: emfDimensions, Metrics: emfMetrics,
		}},
	}
	flag := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	return []slog.Attr{
		slog.Any("_aws", block),
		slog.String(contract.MetricDimFunction, h.function),
		slog.String(contract.MetricDimFormat, string(r.format)),
		slog.Int(contract.MetricBytesSaved, r.bytesIn-r.bytesOut),
		slog.Int(contract.MetricPrimaryRead, flag(r.source == store.FromPrimary)),
		// Stored by an earlier conversion (or a replica of one): a store that
		// failed says nothing about it.
		slog.Int(contract.MetricAlreadyStored, flag(!r.stored && r.err == nil)),
		slog.Int(contract.MetricS3Retries, r.s3Retries),
	}
}
