package contract

// Request headers that cross process boundaries.
const (
	// OriginVerifyHeader carries the secret only CloudFront knows: the
	// distribution adds it to every request to the converter origin and the
	// converter refuses a request without it (403).
	OriginVerifyHeader = "x-origin-verify"

	// VariantHeader is set by the edge function on every request it rewrites:
	// the rewritten URI itself, percent-encoded as in the path. API Gateway
	// HTTP APIs hand the Lambda the path decoded and cut at a decoded "?", so a
	// key containing "?" or "#" reaches the converter whole only through it.
	VariantHeader = "x-imgcells-variant"
)

// OriginRequestHeaders are the headers of the rewritten request that the
// distribution's origin request policy forwards to its origins (and the local
// stack to its converter): exactly those the edge function sets. None of them
// is in the cache key, and the function overwrites any copy a viewer sends.
func OriginRequestHeaders() []string { return []string{VariantHeader} }
