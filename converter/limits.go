package converter

import "imgcells/contract"

// Limits bound the work one conversion may do. They are checked before any
// pixel is decoded, so a hostile header cannot make the converter allocate.
type Limits struct {
	MaxSourceBytes  int64 // refuse larger sources: 413
	MaxSourcePixels int64 // width*height read from the header before decoding (times the frames of an animation kept animated): 413
	MaxFrames       int   // the most frames an animation kept animated may have: 413
	// Budget is the memory and time of the process converting: a request
	// predicted not to fit is refused (413) before decoding. The zero value
	// means contract.DefaultBudget().
	Budget contract.Budget
}

// DefaultLimits are the contract's defaults, the same the stack deploys when
// its configuration names none.
func DefaultLimits() Limits {
	return Limits{
		MaxSourceBytes:  contract.DefaultMaxSourceBytes,
		MaxSourcePixels: contract.DefaultMaxSourcePixels,
		MaxFrames:       contract.DefaultMaxFrames,
		Budget:          contract.DefaultBudget(),
	}
}

func (l Limits) budget() contract.Budget {
	if l.Budget == (contract.Budget{}) {
		return contract.DefaultBudget()
	}
	return l.Budget
}

// check refuses a source whose size or header dimensions exceed the limits.
// Zero or negative limits mean no limit.
func (l Limits) checkBytes(n int) error {
	if l.MaxSourceBytes > 0 && int64(n) > l.MaxSourceBytes {
		return contract.TooLarge("source is %d bytes, more than the limit of %d", n, l.MaxSourceBytes)
	}
	return nil
}

func (l Limits) checkPixels(w, h int) error {
	if w <= 0 || h <= 0 {
		return contract.Corrupt(nil, "image header has no dimensions")
	}
	px := int64(w) * int64(h)
	if l.MaxSourcePixels > 0 && px > l.MaxSourcePixels {
		return contract.TooLarge("source is %dx%d, more than the limit of %d pixels", w, h, l.MaxSourcePixels)
	}
	return nil
}

// checkAnimation refuses an animation to be kept animated with more frames
// than the limit, or whose frames, each the whole w×h canvas once
// composited, add up to more pixels than the pixel limit.
func (l Limits) checkAnimation(a animation, w, h int) error {
	if l.MaxFrames > 0 && a.frames > l.MaxFrames {
		return contract.TooLarge("the animation has %d frames, more than the limit of %d", a.frames, l.MaxFrames)
	}
	if px := int64(a.frames) * int64(w) * int64(h); l.MaxSourcePixels > 0 && px > l.MaxSourcePixels {
		return contract.TooLarge("the animation's %d frames of %dx%d are %d pixels, more than the limit of %d",
			a.frames, w, h, px, l.MaxSourcePixels)
	}
	return nil
}
