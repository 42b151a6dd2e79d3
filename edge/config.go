// Package edge holds the viewer-request CloudFront Function (rewrite.js, the
// deployed bytes, embedded) and renders it for a stack's configuration.
package edge

import (
	"fmt"
	"slices"

	"imgcells/contract"
)

// Config is what a stack may tune in the edge function. It is rendered into
// the deployed code, so changing it means a new function version.
type Config struct {
	// Widths are the ascending breakpoints: a width or a height asked alone
	// snaps up to the next one and clamps at the largest. Asked together, the
	// width snaps and the height follows the nearest of AspectRatios (see
	// rewrite.js); the largest breakpoint bounds both sides.
	Widths []int
	// AspectRatios are the box shapes a width and height asked together snap
	// to (the nearest by the factor between them, a tie going to the first
	// listed), so an original has at most len(Widths)×len(AspectRatios)
	// boxes, instead of one per asked height.
	AspectRatios []AspectRatio
	// Qualities are the ascending allowed qualities: a requested quality
	// (1–100) snaps to the nearest one, a tie going to the higher.
	Qualities []int
	// DefaultQuality is used for webp and jpeg when no valid quality is
	// asked for; it must be one of Qualities.
	DefaultQuality int
	// Signing requires URLs signed with HMAC-SHA256; the key is read from the
	// CloudFront KeyValueStore associated with the function (keys "sign.key"
	// and, during a rotation, "sign.key.previous").
	Signing bool
	// AVIF lets format=auto pick AVIF; off until the converter encodes it.
	AVIF bool
}

// DefaultConfig mirrors Next.js's deviceSizes followed by imageSizes, the
// default aspect ratios, a coarse quality ladder and quality 75.
func DefaultConfig() Config {
	return Config{
		Widths:         []int{16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840},
		AspectRatios:   DefaultAspectRatios(),
		Qualities:      []int{25, 50, 60, 75, 80, 90, 100},
		DefaultQuality: 75,
	}
}

// Limits on lists, so the rendered code stays far below CloudFront's 10 KB.
const (
	MaxWidths       = 64
	MaxQualities    = 100
	MaxAspectRatios = 24
)

// Validate reports the first problem, naming the field.
func (c Config) Validate() error {
	if err := ascending("Widths", c.Widths, 1, contract.MaxDimension, MaxWidths); err != nil {
		return err
	}
	if err := ascending("Qualities", c.Qualities, 1, 100, MaxQualities); err != nil {
		return err
	}
	if err := ValidateAspectRatios(c.AspectRatios); err != nil {
		return fmt.Errorf("edge config: AspectRatios: %w", err)
	}
	if slices.Contains(c.Qualities, c.DefaultQuality) {
		return nil
	}
	return fmt.Errorf("edge config: DefaultQuality %d is not one of Qualities %v", c.DefaultQuality, c.Qualities)
}

func ascending(field string, list []int, lo, hi, maxLen int) error {
	if len(list) == 0 {
		return fmt.Errorf("edge config: %s is empty", field)
	}
	if len(list) > maxLen {
		return fmt.Errorf("edge config: %s has %d values, at most %d", field, len(list), maxLen)
	}
	for i, n := range list {
		if n < lo || n > hi {
			return fmt.Errorf("edge config: %s value %d is outside %d-%d", field, n, lo, hi)
		}
		if i > 0 && n <= list[i-1] {
			return fmt.Errorf("edge config: %s must be strictly ascending (%d after %d)", field, n, list[i-1])
		}
	}
	return nil
}
