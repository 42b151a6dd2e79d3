package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/store"
)

// record collects what one request did, for its log line and Server-Timing.
type record struct {
	start     time.Time
	method    string
	requestID string
	path      string // as received, for requests refused before parsing
	key       string
	variant   string
	status    int
	source    store.Source
	format    contract.Format // the output format, once converted
	bytesIn   int
	bytesOut  int
	stored    bool
	fetch     time.Duration
	convert   time.Duration
	store     time.Duration
	timings   converter.Timings
	colour    string // converter.Result.Colour: what was done about the source's profile
	frames    int    // converter.Result.Frames: an animated output's
	reread    bool   // the original's body failed once and was read again
	s3Retries int    // requests for the original S3 left silent, made again
	// afterResponse: the variant is stored after the answer (After);
	// answered is when, from the start, the answer left.
	afterResponse bool
	answered      time.Duration
	err           error
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// serverTiming is the Server-Timing header value: fetch, convert and store
// durations in milliseconds; a store still to come after the answer has a
// description instead of a duration.
func (r *record) serverTiming() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fetch;dur=%.1f, convert;dur=%.1f, ", ms(r.fetch), ms(r.convert))
	if r.afterResponse {
		b.WriteString(`store;desc="after response"`)
	} else {
		fmt.Fprintf(&b, "store;dur=%.1f", ms(r.store))
	}
	return b.String()
}

// logRequest writes one structured line: Info for successes and client
// errors, Error for 5xx and for a failed store behind a 200.
func (h *Handler) logRequest(ctx context.Context, r *record) {
	level := slog.LevelInfo
	if r.status >= 500 || (r.err != nil && r.status < 400) {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("method", r.method),
		slog.Int("status", r.status),
		slog.String("path", r.path),
		slog.String("key", r.key),
		slog.String("variant", r.variant),
		slog.String("source", string(r.source)),
		slog.Int(contract.MetricBytesIn, r.bytesIn),
		slog.Int(contract.MetricBytesOut, r.bytesOut),
		slog.Bool("stored", r.stored),
		slog.Float64("fetch_ms", ms(r.fetch)),
		slog.Float64("decode_ms", ms(r.timings.Decode)),
		slog.Float64("resize_ms", ms(r.timings.Resize)),
		slog.Float64("encode_ms", ms(r.timings.Encode)),
		slog.Float64(contract.MetricConvertMs, ms(r.convert)),
		slog.Float64("store_ms", ms(r.store)),
		slog.Float64("total_ms", ms(time.Since(r.start))),
	}
	if r.requestID != "" {
		attrs = append(attrs, slog.String("request_id", r.requestID))
	}
	if r.colour != "" {
		attrs = append(attrs, slog.String("colour", r.colour))
	}
	if r.frames > 0 {
		attrs = append(attrs, slog.Int("frames", r.frames))
	}
	if r.afterResponse {
		// total_ms includes the store; answer_ms is what the viewer waited
		// for inside the converter.
		attrs = append(attrs, slog.Bool("after_response", true), slog.Float64("answer_ms", ms(r.answered)))
	}
	if r.reread {
		attrs = append(attrs, slog.Bool("reread", true))
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", r.err.Error()))
	}
	metrics := h.metricAttrs(r)
	if metrics == nil && r.s3Retries > 0 {
		// Not a conversion (or not on Lambda): the count without its metric.
		attrs = append(attrs, slog.Int(contract.MetricS3Retries, r.s3Retries))
	}
	attrs = append(attrs, metrics...)
	h.log.LogAttrs(ctx, level, "request", attrs...)
}
