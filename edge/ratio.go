package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// AspectRatio is a box shape, width W to height H ("16:9").
type AspectRatio struct{ W, H int }

// MaxAspectTerm bounds each side of a ratio, so every ratio lies between
// 1:100 and 100:1 and the rendered list stays short.
const MaxAspectTerm = 100

// DefaultAspectRatios are the shapes layouts ask for most: square tiles (1:1),
// phone and DSLR photos in both orientations (4:3, 3:4, 3:2, 2:3), video and
// hero banners (16:9, 21:9), stories (9:16) and portrait feed posts (4:5).
// Adjacent ones are at most 1.34× apart (16:9 to 21:9), so a snapped box
// stays close to the asked shape; its image is never stretched (fit=inside
// fits within it, fit=cover crops to it).
func DefaultAspectRatios() []AspectRatio {
	return []AspectRatio{{1, 1}, {4, 3}, {3, 2}, {16, 9}, {21, 9}, {2, 3}, {3, 4}, {9, 16}, {4, 5}}
}

func (r AspectRatio) String() string { return strconv.Itoa(r.W) + ":" + strconv.Itoa(r.H) }

// MarshalJSON writes the ratio as rewrite.js reads it: [w, h].
func (r AspectRatio) MarshalJSON() ([]byte, error) { return json.Marshal([2]int{r.W, r.H}) }

// ParseAspectRatio reads "W:H" with whole numbers from 1 to MaxAspectTerm.
func ParseAspectRatio(s string) (AspectRatio, error) {
	w, h, ok := strings.Cut(strings.TrimSpace(s), ":")
	a, errW := strconv.Atoi(w)
	b, errH := strconv.Atoi(h)
	if !ok || errW != nil || errH != nil {
		return AspectRatio{}, fmt.Errorf("%q is not W:H such as 16:9", s)
	}
	r := AspectRatio{a, b}
	return r, r.validate()
}

func (r AspectRatio) validate() error {
	if r.W < 1 || r.H < 1 || r.W > MaxAspectTerm || r.H > MaxAspectTerm {
		return fmt.Errorf("%s: each side must be from 1 to %d", r, MaxAspectTerm)
	}
	return nil
}

// ValidateAspectRatios checks a list: 1 to MaxAspectRatios ratios, each side
// from 1 to MaxAspectTerm, no shape twice (4:3 and 8:6 are one shape).
func ValidateAspectRatios(list []AspectRatio) error {
	if len(list) == 0 {
		return errors.New("empty: at least one ratio such as 1:1")
	}
	if len(list) > MaxAspectRatios {
		return fmt.Errorf("%d ratios, at most %d", len(list), MaxAspectRatios)
	}
	for i, r := range list {
		if err := r.validate(); err != nil {
			return err
		}
		for _, o := range list[:i] {
			if r.W*o.H == o.W*r.H {
				return fmt.Errorf("%s and %s are the same shape", o, r)
			}
		}
	}
	return nil
}

// MaxVariants is the most variant keys one original can have under c: every
// format with each allowed quality (png takes none), times the sizes: none,
// a width alone, a height alone, and a box (one per width breakpoint and
// ratio) with fit inside or cover.
func (c Config) MaxVariants() int {
	lossy := 2 // webp, jpeg
	if c.AVIF {
		lossy++
	}
	formats := lossy*len(c.Qualities) + 1
	sizes := 1 + 2*len(c.Widths) + 2*len(c.Widths)*len(c.AspectRatios)
	return formats * sizes
}
