package contract

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The purge function runs the converter's `bootstrap` too: EnvFunction picks
// the program. components/purge.go writes the purge's environment,
// converter/cmd/bootstrap reads it through LoadPurgeEnv.
const (
	// EnvFunction selects what the bootstrap runs: unset for the converter,
	// FunctionPurge for the purge.
	EnvFunction = "IMGCELLS_FUNCTION"
	// FunctionPurge is EnvFunction's value in the purge function.
	FunctionPurge = "purge"
	// EnvTransformedBuckets names every region's transformed bucket, as
	// "region=bucket" pairs joined by commas.
	EnvTransformedBuckets = "IMGCELLS_TRANSFORMED_BUCKETS"
	// EnvDistributionID is the CloudFront distribution whose cache the purge
	// invalidates.
	EnvDistributionID = "IMGCELLS_DISTRIBUTION_ID"
	// EnvPurgeQueueURL is the queue the purge reads events from and sends its
	// own delayed checks to.
	EnvPurgeQueueURL = "IMGCELLS_PURGE_QUEUE_URL"
)

// PurgeEnv is the purge function's validated environment.
type PurgeEnv struct {
	Region              string            // the function's own (Lambda sets AWS_REGION)
	PrimarySourceBucket string            // the main source bucket: what is current
	PrimaryRegion       string            // its region
	TransformedBuckets  map[string]string // region → transformed bucket
	DistributionID      string
	QueueURL            string
	S3Endpoint          string // tests and the local stack only
}

// Vars is the environment LoadPurgeEnv reads back as e, without AWS_REGION.
func (e PurgeEnv) Vars() map[string]string {
	m := map[string]string{
		EnvFunction:            FunctionPurge,
		EnvPrimarySourceBucket: e.PrimarySourceBucket,
		EnvPrimaryRegion:       e.PrimaryRegion,
		EnvTransformedBuckets:  FormatBuckets(e.TransformedBuckets),
		EnvDistributionID:      e.DistributionID,
		EnvPurgeQueueURL:       e.QueueURL,
	}
	if e.S3Endpoint != "" {
		m[EnvS3Endpoint] = e.S3Endpoint
	}
	return m
}

// FormatBuckets writes region → bucket as "region=bucket,…", sorted by region.
func FormatBuckets(buckets map[string]string) string {
	pairs := make([]string, 0, len(buckets))
	for _, r := range slices.Sorted(maps.Keys(buckets)) {
		pairs = append(pairs, r+"="+buckets[r])
	}
	return strings.Join(pairs, ",")
}

// ParseBuckets reads what FormatBuckets writes.
func ParseBuckets(s string) (map[string]string, error) {
	out := map[string]string{}
	for pair := range strings.SplitSeq(s, ",") {
		region, bucket, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || region == "" || bucket == "" {
			return nil, fmt.Errorf("%q is not region=bucket", pair)
		}
		if _, dup := out[region]; dup {
			return nil, fmt.Errorf("region %s is named twice", region)
		}
		out[region] = bucket
	}
	return out, nil
}

// LoadPurgeEnv reads and checks the purge's environment through getenv; every
// problem is reported, each naming its variable.
func LoadPurgeEnv(getenv func(string) string) (PurgeEnv, error) {
	var e PurgeEnv
	var errs []error
	if f := getenv(EnvFunction); f != FunctionPurge {
		errs = append(errs, fmt.Errorf("environment variable %s=%q: the purge needs %q", EnvFunction, f, FunctionPurge))
	}
	for _, r := range []struct {
		name string
		dst  *string
	}{
		{EnvRegion, &e.Region},
		{EnvPrimarySourceBucket, &e.PrimarySourceBucket},
		{EnvPrimaryRegion, &e.PrimaryRegion},
		{EnvDistributionID, &e.DistributionID},
		{EnvPurgeQueueURL, &e.QueueURL},
	} {
		*r.dst = getenv(r.name)
		if *r.dst == "" {
			errs = append(errs, fmt.Errorf("environment variable %s is required", r.name))
		}
	}
	if s := getenv(EnvTransformedBuckets); s == "" {
		errs = append(errs, fmt.Errorf("environment variable %s is required", EnvTransformedBuckets))
	} else if b, err := ParseBuckets(s); err != nil {
		errs = append(errs, fmt.Errorf("environment variable %s: %w", EnvTransformedBuckets, err))
	} else {
		e.TransformedBuckets = b
	}
	e.S3Endpoint = getenv(EnvS3Endpoint)
	if err := errors.Join(errs...); err != nil {
		return PurgeEnv{}, err
	}
	return e, nil
}
