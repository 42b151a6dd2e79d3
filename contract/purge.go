package contract

import "time"

// What the converter and the purge agree on about a variant's origin.
const (
	// SourceETagMetadata is the user-metadata key (sent as
	// x-amz-meta-imgcells-source-etag) under which the converter records the
	// ETag, without quotes, of the original version a variant was made from.
	// The purge keeps a variant only while that ETag is the original's
	// current one; a variant without it counts as stale.
	SourceETagMetadata = "imgcells-source-etag"

	// PurgeSettleDelay is how long after an original changed the purge looks
	// again. A conversion that read the old version started before the change;
	// the Lambda's timeout ends it (and its write to the transformed bucket)
	// within ConverterTimeout, and API Gateway cuts its response within
	// APIGatewayTimeout. Past this delay no stale variant can be stored or
	// handed to CloudFront any more; the margin covers a write in flight and
	// the clocks of S3 and Lambda.
	PurgeSettleDelay = APIGatewayTimeout + 5*time.Second
)

// TrimETag strips the quotes S3 puts around an ETag, so ETags read from
// different calls (a listing, HEAD, GET) compare equal.
func TrimETag(etag string) string {
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}
