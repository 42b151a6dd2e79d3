package verify

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// HeadlineMissP95 is the project's promise for a first request: a variant
// that exists nowhere yet is served within a second, at the 95th percentile.
const HeadlineMissP95 = time.Second

// percentile is the nearest-rank percentile of durations (p in (0, 100]).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// latency asks for each latency probe twice: the first request must be a miss
// that converts, the second a hit. It reports the P50 and P95 of both beside
// the headline; they are measured from wherever this runs, so they are judged
// only against Options.MaxMissP95 when it is set.
func (r *run) latency(ctx context.Context) (string, error) {
	var misses, hits []time.Duration
	for _, key := range r.misses {
		p, err := r.view(ctx, key, AcceptChrome)
		if err != nil {
			return "", err
		}
		if p.status != http.StatusOK || !strings.HasPrefix(p.xcache(), "Miss") || !p.converted() {
			return "", failf(hintConverter, "a latency probe's first request got %s (Server-Timing %q), want a converted miss",
				p.describe(), p.header.Get("Server-Timing"))
		}
		misses = append(misses, p.took)
	}
	for _, key := range r.misses {
		p, err := r.view(ctx, key, AcceptChrome)
		if err != nil {
			return "", err
		}
		if p.status != http.StatusOK || !strings.HasPrefix(p.xcache(), "Hit") {
			return "", failf(hintCache, "a latency probe's second request got %s, want a hit", p.describe())
		}
		hits = append(hits, p.took)
	}
	mp95 := percentile(misses, 95)
	met := "met"
	if mp95 >= HeadlineMissP95 {
		met = "not met"
	}
	detail := fmt.Sprintf("first requests p50 %s p95 %s, cached p50 %s p95 %s (n=%d each, from here); headline P95 < %s for a first request: %s",
		roundDuration(percentile(misses, 50)), roundDuration(mp95), roundDuration(percentile(hits, 50)), roundDuration(percentile(hits, 95)),
		len(misses), roundDuration(HeadlineMissP95), met)
	if r.o.MaxMissP95 > 0 && mp95 > r.o.MaxMissP95 {
		return "", failf("the dashboard's converter duration and conversion time by format; the converter's fetch_ms (replica reads)",
			"%s; above -max-miss-p95 %s", detail, r.o.MaxMissP95)
	}
	return detail, nil
}
