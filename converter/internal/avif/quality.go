package avif

// defaultTuning is what the measurements in speed.go kept.
var defaultTuning = tuning{tune: -1, deltaqMode: -1, enableQM: -1, sharpness: -1, chromaDeltaQ: -1}

// cqLevel maps imgcells' quality (1-100) to libaom's cq-level (0-63,
// lower is better).
func cqLevel(q int) int {
	return ((100-q)*63 + 50) / 100
}
