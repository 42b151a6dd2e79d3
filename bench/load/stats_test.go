package main

import (
	"testing"
	"time"
)

func TestPairedRatioIsTheMedianOfEachRoundsRatio(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	// A slow spell (the third round) slows both sides: the rounds' ratios
	// are 1.05, 1.10, 1.00, so the median is 1.05, where the ratio of the
	// two sides' medians (110 / 100) reads 1.10.
	stack, bare := ms(105, 110, 300), ms(100, 100, 300)
	if got := pairedRatio(stack, bare); got < 1.0499 || got > 1.0501 {
		t.Errorf("odd count: paired ratio %.4f, want 1.05", got)
	}
	// An even count takes the mean of the middle two (1.05 and 1.10).
	stack, bare = ms(105, 110, 300, 120), ms(100, 100, 300, 80)
	if got := pairedRatio(stack, bare); got < 1.0749 || got > 1.0751 {
		t.Errorf("even count: paired ratio %.4f, want 1.075", got)
	}
	if got := pairedRatio(nil, nil); got != 0 {
		t.Errorf("no rounds: %.4f, want 0", got)
	}
}
