package edge_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"imgcells/contract"
	"imgcells/edge"
)

// TestBoxTakesTheNearestRatio: for many width×height requests (seeded, so a
// failure repeats), the box the function writes has the configured ratio
// nearest the asked one (by log distance) up to rounding, never exceeds the
// largest breakpoint, and starts from the breakpoint the width snaps to
// unless the height had to be clamped.
func TestBoxTakesTheNearestRatio(t *testing.T) {
	cfg := edge.DefaultConfig()
	r := runner(t, cfg, nil)
	top := cfg.Widths[len(cfg.Widths)-1]
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		w, h := 1+rng.IntN(5000), 1+rng.IntN(5000)
		if i%10 == 0 {
			h = 1 + rng.IntN(60000) // tall: the height clamps
		}
		fit := []string{"cover", "inside", ""}[i%3]
		got := rewritten(t, run(t, r, "GET", fmt.Sprintf("/a.jpg?width=%d&height=%d&fit=%s", w, h, fit), "image/webp"))
		_, v, err := contract.ParseKey(strings.TrimPrefix(got, "/"))
		if err != nil {
			t.Fatalf("%dx%d: %s does not parse: %v", w, h, got, err)
		}
		if v.Width < 1 || v.Height < 1 || v.Width > top || v.Height > top {
			t.Errorf("%dx%d: box %dx%d outside 1-%d", w, h, v.Width, v.Height, top)
		}
		ratio := closestRatio(cfg.AspectRatios, float64(w)/float64(h))
		// Unless its height would pass the largest breakpoint, the box starts
		// from the width's breakpoint and derives the height; else the height
		// is the largest breakpoint and the width is derived. The derived side
		// is within half a pixel of the ratio (or 1 where that is < 1).
		W0 := snap(cfg.Widths, w)
		derived, exact := float64(v.Height), float64(W0)*float64(ratio.H)/float64(ratio.W)
		if exact >= float64(top)+0.5 {
			if v.Height != top {
				t.Errorf("%dx%d: height %d, want it clamped to %d", w, h, v.Height, top)
			}
			derived, exact = float64(v.Width), float64(top)*float64(ratio.W)/float64(ratio.H)
		} else if v.Width != W0 {
			t.Errorf("%dx%d: width %d, want the breakpoint %d", w, h, v.Width, W0)
		}
		if math.Abs(derived-exact) > 0.5 && !(derived == 1 && exact < 1) {
			t.Errorf("%dx%d: box %dx%d is not %s (want %.2f)", w, h, v.Width, v.Height, ratio, exact)
		}
		if (fit == "cover") != (v.Fit == contract.FitCover) {
			t.Errorf("%dx%d fit=%q: got fit %v", w, h, fit, v.Fit)
		}
	}
}

// closestRatio is the ratio nearest a by log distance, computed apart from
// the function's own arithmetic.
func closestRatio(list []edge.AspectRatio, a float64) edge.AspectRatio {
	best, bestD := list[0], math.Inf(1)
	for _, r := range list {
		if d := math.Abs(math.Log(a) - math.Log(float64(r.W)/float64(r.H))); d < bestD {
			best, bestD = r, d
		}
	}
	return best
}

func snap(list []int, n int) int {
	for _, b := range list {
		if b >= n {
			return b
		}
	}
	return list[len(list)-1]
}

// TestLoneSideSnaps: a width or a height asked alone snaps up as before.
func TestLoneSideSnaps(t *testing.T) {
	cfg := edge.DefaultConfig()
	r := runner(t, cfg, nil)
	for _, n := range []int{1, 17, 400, 641, 3840, 3841} {
		for _, side := range []string{"width", "height"} {
			got := rewritten(t, run(t, r, "GET", "/a.jpg?fit=cover&"+side+"="+strconv.Itoa(n), "image/webp"))
			if want := "/a.jpg/format=webp,quality=75," + side + "=" + strconv.Itoa(snap(cfg.Widths, n)); got != want {
				t.Errorf("%s=%d: got %s, want %s", side, n, got, want)
			}
		}
	}
}
