package main

import (
	"fmt"
	"strconv"

	"imgcells/converter"
	"imgcells/converter/store"
)

// The environment the infrastructure sets on the Lambda function.
const (
	envRegion            = "AWS_REGION"
	envSourceBucket      = "IMGCELLS_SOURCE_BUCKET"
	envPrimarySource     = "IMGCELLS_PRIMARY_SOURCE_BUCKET"
	envPrimaryRegion     = "IMGCELLS_PRIMARY_REGION"
	envTransformedBucket = "IMGCELLS_TRANSFORMED_BUCKET"
	envSecret            = "IMGCELLS_ORIGIN_VERIFY_SECRET"
	envMaxSourceBytes    = "IMGCELLS_MAX_SOURCE_BYTES"
	envMaxSourcePixels   = "IMGCELLS_MAX_SOURCE_PIXELS"
	envS3Endpoint        = "IMGCELLS_S3_ENDPOINT"
)

// config is the validated environment.
type config struct {
	store  store.S3Config
	secret string
	limits converter.Limits
}

// loadConfig reads and checks the environment through getenv; an error
// names the variable at fault.
func loadConfig(getenv func(string) string) (config, error) {
	var c config
	required := []struct {
		name string
		dst  *string
	}{
		{envRegion, &c.store.Region},
		{envSourceBucket, &c.store.SourceBucket},
		{envPrimarySource, &c.store.PrimarySourceBucket},
		{envPrimaryRegion, &c.store.PrimaryRegion},
		{envTransformedBucket, &c.store.TransformedBucket},
		{envSecret, &c.secret},
	}
	for _, r := range required {
		*r.dst = getenv(r.name)
		if *r.dst == "" {
			return config{}, fmt.Errorf("environment variable %s is required", r.name)
		}
	}
	if len(c.secret) < 16 {
		return config{}, fmt.Errorf("environment variable %s must be at least 16 characters", envSecret)
	}
	c.store.Endpoint = getenv(envS3Endpoint)

	c.limits = converter.DefaultLimits()
	for _, l := range []struct {
		name string
		dst  *int64
	}{
		{envMaxSourceBytes, &c.limits.MaxSourceBytes},
		{envMaxSourcePixels, &c.limits.MaxSourcePixels},
	} {
		s := getenv(l.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return config{}, fmt.Errorf("environment variable %s=%q: want a positive whole number", l.name, s)
		}
		*l.dst = n
	}
	return c, nil
}
