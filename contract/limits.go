package contract

import (
	"slices"
	"time"
)

// Default limits of one conversion, shared by the stack configuration's
// defaults (imgcells:maxSourceBytes, imgcells:maxSourcePixels), the converter
// Lambda when its environment names none, and the local stack.
const (
	// DefaultMaxSourceBytes is the largest original the converter reads: a
	// 50 MP JPEG at high quality stays well below it.
	DefaultMaxSourceBytes int64 = 25 << 20
	// DefaultMaxSourcePixels is the largest original the converter decodes
	// (imgproxy's default, 50 megapixels).
	DefaultMaxSourcePixels int64 = 50_000_000
	// DefaultMaxFrames is the most frames an animation may have to be kept
	// animated (imgcells:maxFrames); every frame also counts against the
	// pixel limit.
	DefaultMaxFrames = 500
)

// MinOriginSecretLen is the shortest origin-verify secret the stack
// configuration and the converter accept: long enough not to be guessed.
const MinOriginSecretLen = 16

// FailoverStatusCodes are the origin group's failover criteria: a variant the
// Multi-Region Access Point does not hold answers 403 (or 404), and its own
// server errors fail over too. The distribution and the local stack's origin
// group both use this list.
var FailoverStatusCodes = []int{403, 404, 500, 502, 503, 504}

// IsFailoverStatus reports whether the origin group fails over on status.
func IsFailoverStatus(status int) bool {
	return slices.Contains(FailoverStatusCodes, status)
}

// API Gateway and Lambda budgets.
const (
	// APIGatewayTimeout is an HTTP API's integration timeout (its maximum);
	// a Lambda that runs longer is answered 503 by the gateway.
	APIGatewayTimeout = 30 * time.Second
	// ConverterTimeout is the converter Lambda's timeout: below the gateway's,
	// so a slow conversion ends as the Lambda's own error.
	ConverterTimeout = 25 * time.Second
	// MaxInlineBytes is the largest image the converter returns in its
	// response body: a buffered Lambda response is capped at 6 MB including
	// the base64 expansion (4/3) and the JSON envelope. Past it the variant is
	// stored and the viewer redirected.
	MaxInlineBytes = 4_400_000
)
