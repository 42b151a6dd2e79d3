package contract

// The converter's own CloudWatch metrics. It writes them in the Embedded
// Metric Format (EMF): an "_aws" block inside its one JSON log line per
// request names members of that line as metrics and dimensions, and CloudWatch
// Logs extracts them on ingestion, so they cost no API call and no latency
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html;
// on Lambda, writing the line to standard output is enough). The Pulumi
// program's dashboard and alarms read them by these names, in the converter's
// region. Every metric is published twice: per function and output format,
// and per function alone.
const (
	// MetricNamespace is the CloudWatch namespace of the converter's metrics.
	MetricNamespace = "imgcells"

	// MetricDimFunction names the converter Lambda (AWS_LAMBDA_FUNCTION_NAME),
	// so stacks sharing an account and region keep their metrics apart.
	MetricDimFunction = "function"
	// MetricDimFormat is the output format: webp, jpeg or png.
	MetricDimFormat = "format"

	// MetricConvertMs is the time one conversion took (decode, resize,
	// encode), in milliseconds. Its SampleCount is the number of conversions.
	MetricConvertMs = "convert_ms"
	// MetricBytesIn and MetricBytesOut are the original's and the variant's
	// sizes; MetricBytesSaved is their difference (negative when a variant is
	// larger than its original).
	MetricBytesIn    = "bytes_in"
	MetricBytesOut   = "bytes_out"
	MetricBytesSaved = "bytes_saved"
	// MetricPrimaryRead is 1 when the original came from the primary source
	// bucket because the region's replica did not have it yet, else 0: its
	// Sum counts replication-lag fallbacks, its Average is their share.
	MetricPrimaryRead = "primary_read"
	// MetricAlreadyStored is 1 when the variant was already in the region's
	// transformed bucket when the conversion went to store it, else 0. With a
	// working Multi-Region Access Point that happens only to concurrent
	// misses; when the MRAP (or its policy) refuses CloudFront, every miss
	// fails over to a converter and most find their variant already stored.
	MetricAlreadyStored = "already_stored"
	// MetricS3Retries counts the requests for the original that S3 left
	// silent past the stall timeout and that were made again (a GET without
	// an answer, the rest of a body that stopped): its Sum says how often S3
	// stalls on the converter's reads.
	MetricS3Retries = "s3_retries"
)

// MetricFormats are the values MetricDimFormat takes.
var MetricFormats = []Format{FormatAVIF, FormatWebP, FormatJPEG, FormatPNG}
