package converter

import (
	"math"

	"imgcells/contract"
)

// plan is the geometry of one conversion, in the source's stored (not yet
// oriented) coordinates: the source rectangle to read and the size to scale
// it to.
type plan struct {
	srcW, srcH                 int // the source size the plan was made for
	cropX, cropY, cropW, cropH int // source rectangle
	outW, outH                 int // stored-orientation output size
}

// makePlan fits a w×h source (stored orientation o) to the variant. Width
// and height in the variant are in display orientation, so for orientations
// 5–8 they are swapped first. Neither fit ever enlarges.
func makePlan(w, h, o int, v contract.Variant) plan {
	vw, vh := v.Width, v.Height
	if o >= 5 {
		vw, vh = vh, vw
	}
	p := plan{srcW: w, srcH: h, cropW: w, cropH: h, outW: w, outH: h}
	if vw == 0 && vh == 0 {
		return p
	}
	sx, sy := float64(vw)/float64(w), float64(vh)/float64(h)
	if v.Fit == contract.FitCover {
		s := math.Max(sx, sy)
		if s >= 1 {
			// Not enlarging: crop the centre at source resolution.
			p.cropW, p.cropH = min(vw, w), min(vh, h)
			p.outW, p.outH = p.cropW, p.cropH
		} else {
			p.cropW = min(w, max(1, int(math.Round(float64(vw)/s))))
			p.cropH = min(h, max(1, int(math.Round(float64(vh)/s))))
			p.outW, p.outH = vw, vh
		}
		p.cropX, p.cropY = (w-p.cropW)/2, (h-p.cropH)/2
		return p
	}
	var s float64
	switch {
	case vw == 0:
		s = sy
	case vh == 0:
		s = sx
	default:
		s = math.Min(sx, sy)
	}
	if s >= 1 {
		return p
	}
	p.outW = max(1, int(math.Round(float64(w)*s)))
	p.outH = max(1, int(math.Round(float64(h)*s)))
	if vw != 0 {
		p.outW = min(p.outW, vw)
	}
	if vh != 0 {
		p.outH = min(p.outH, vh)
	}
	return p
}

// fits reports whether the plan was made for a w×h image and its crop
// rectangle lies inside it.
func (p plan) fits(w, h int) bool {
	return p.srcW == w && p.srcH == h && p.cropX >= 0 && p.cropY >= 0 && p.cropW > 0 && p.cropH > 0 &&
		p.cropX+p.cropW <= w && p.cropY+p.cropH <= h && p.outW > 0 && p.outH > 0
}
