package edge_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// The variant space of one original is bounded and documented (README, "The
// edge function"): with the defaults at most 15 formats×qualities × 321 sizes
// = 4,815 keys. The function writes format and quality from format, quality
// and Accept, and the size from width, height and fit, so the keys are the
// product of the two sets, and each set is counted here from what the
// function writes.
const documentedVariants = 4815

// maxAsked is the largest width or height the function reads (nine digits);
// a longer number is dropped like any other garbage.
const maxAsked = 999999999

// box is the documented rule for width and height asked together: the width
// snaps up to a breakpoint, the shape to the nearest configured ratio.
func box(cfg edge.Config, width int, r edge.AspectRatio) string {
	top := cfg.Widths[len(cfg.Widths)-1]
	height := max(1, int(math.Floor(float64(width)*float64(r.H)/float64(r.W)+0.5)))
	if height > top {
		height = top
		width = max(1, int(math.Floor(float64(top)*float64(r.W)/float64(r.H)+0.5)))
	}
	return fmt.Sprintf("width=%d,height=%d", width, height)
}

// sizes returns the size part of what the function writes for a query.
func sizes(t *testing.T, r *cfrun.Runner, query string) string {
	t.Helper()
	got := rewritten(t, run(t, r, "GET", "/a.jpg?format=png&"+query, ""))
	return strings.TrimPrefix(strings.TrimPrefix(got, "/a.jpg/format=png"), ",")
}

// TestVariantSpaceIsBounded enumerates the widths and heights the edge
// accepts (1 to 999999999 each): every width at and around each breakpoint,
// each crossed with every height at and around the boundaries between two
// ratios, the heights of each exact ratio and the extremes, plus a dense
// seeded sample. Every box the function writes is the documented rule's, and
// the rule over every breakpoint and ratio gives all of them.
func TestVariantSpaceIsBounded(t *testing.T) {
	cfg := edge.DefaultConfig()
	r := runner(t, cfg, nil)
	top := cfg.Widths[len(cfg.Widths)-1]
	if got := cfg.MaxVariants(); got != documentedVariants {
		t.Fatalf("DefaultConfig().MaxVariants() = %d, the README says %d", got, documentedVariants)
	}

	// The documented boxes: one per breakpoint and ratio.
	want := map[string]bool{}
	for _, W := range cfg.Widths {
		for _, ratio := range cfg.AspectRatios {
			want[box(cfg, W, ratio)] = true
		}
	}

	widths := []int{1, 2, top + 1, 16383, 16384, maxAsked}
	for _, b := range cfg.Widths {
		widths = append(widths, b-1, b, b+1)
	}
	// boundaries between neighbouring ratios (geometric means)
	var values []float64
	for _, ratio := range cfg.AspectRatios {
		values = append(values, float64(ratio.W)/float64(ratio.H))
	}
	slices.Sort(values)
	var bounds []float64
	for i := 1; i < len(values); i++ {
		bounds = append(bounds, math.Sqrt(values[i-1]*values[i]))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	type req struct{ w, h int }
	var reqs []req
	for _, w := range widths {
		if w < 1 {
			continue
		}
		hs := []int{1, 2, 16383, maxAsked}
		for _, g := range bounds {
			h := float64(w) / g
			hs = append(hs, int(math.Floor(h))-1, int(math.Floor(h)), int(math.Ceil(h)), int(math.Ceil(h))+1)
		}
		for _, ratio := range cfg.AspectRatios {
			hs = append(hs, int(math.Round(float64(w)*float64(ratio.H)/float64(ratio.W))))
		}
		for range 4 {
			hs = append(hs, 1+rng.IntN(20000))
		}
		for _, h := range hs {
			if h >= 1 && h <= maxAsked {
				reqs = append(reqs, req{w, h})
			}
		}
	}
	for w := 1; w <= 4200; w += 3 { // dense widths, a log-uniform height each
		reqs = append(reqs, req{w, max(1, int(math.Exp(rng.Float64()*math.Log(50000))))})
	}

	seen := map[string]bool{}
	for i, q := range reqs {
		fit := []string{"", "&fit=cover"}[i%2]
		got := sizes(t, r, fmt.Sprintf("width=%d&height=%d%s", q.w, q.h, fit))
		ratio := closestRatio(cfg.AspectRatios, float64(q.w)/float64(q.h))
		if rule := box(cfg, snap(cfg.Widths, q.w), ratio) + strings.Replace(fit, "&", ",", 1); got != rule {
			t.Errorf("%dx%d%s: function writes %s, the rule gives %s", q.w, q.h, fit, got, rule)
		}
		seen[strings.TrimSuffix(got, ",fit=cover")] = true
	}
	for b := range want {
		if !seen[b] {
			t.Errorf("box %s of the rule was never written", b)
		}
	}
	for b := range seen {
		if !want[b] {
			t.Errorf("box %s is not one of the rule's", b)
		}
	}

	// A side alone snaps to a breakpoint; nothing asked is one more size.
	alone := map[string]bool{sizes(t, r, ""): true}
	for _, n := range append(widths, 5, 100, 1000, 5000) {
		for _, side := range []string{"width", "height"} {
			alone[sizes(t, r, fmt.Sprintf("%s=%d&fit=cover", side, n))] = true
		}
	}
	nSizes := len(alone) + 2*len(want) // boxes come with fit=inside and fit=cover
	nFormats := formatsAndQualities(t, cfg)
	t.Logf("%d requests: %d boxes (%d breakpoints × %d ratios), %d sizes, %d formats×qualities: %d keys per original",
		len(reqs), len(want), len(cfg.Widths), len(cfg.AspectRatios), nSizes, nFormats, nSizes*nFormats)
	if nSizes*nFormats > cfg.MaxVariants() {
		t.Errorf("%d keys per original, more than MaxVariants %d", nSizes*nFormats, cfg.MaxVariants())
	}
	if len(alone) != 1+2*len(cfg.Widths) {
		t.Errorf("%d sizes without a box, want %d", len(alone), 1+2*len(cfg.Widths))
	}
}

// formatsAndQualities counts the distinct format and quality parts the
// function writes over every format parameter, quality 0–101 and Accept.
func formatsAndQualities(t *testing.T, cfg edge.Config) int {
	t.Helper()
	r := runner(t, cfg, nil)
	seen := map[string]bool{}
	for _, f := range []string{"", "auto", "jpeg", "jpg", "JPEG", "png", "webp", "avif", "gif", "x"} {
		for _, accept := range []string{"", "image/webp", "image/avif,image/webp", "*/*"} {
			for q := range 102 {
				seen[rewritten(t, run(t, r, "GET", fmt.Sprintf("/a.jpg?format=%s&quality=%d", f, q), accept))] = true
			}
		}
	}
	if want := 2*len(cfg.Qualities) + 1; len(seen) != want {
		t.Errorf("%d formats×qualities, want %d (webp and jpeg at each quality, png)", len(seen), want)
	}
	return len(seen)
}
