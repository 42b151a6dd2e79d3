package main

import (
	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/store"
)

// config is the validated environment, in the shapes the store and the
// handler take.
type config struct {
	store  store.S3Config
	secret string
	limits converter.Limits
}

// loadConfig reads and checks the environment through getenv with the
// contract's loader (the one components' round-trip test runs on the
// environment the stack deploys); an error names the variable at fault.
func loadConfig(getenv func(string) string) (config, error) {
	e, err := contract.LoadConverterEnv(getenv)
	if err != nil {
		return config{}, err
	}
	return config{
		store: store.S3Config{
			Region:              e.Region,
			SourceBucket:        e.SourceBucket,
			PrimarySourceBucket: e.PrimarySourceBucket,
			PrimaryRegion:       e.PrimaryRegion,
			TransformedBucket:   e.TransformedBucket,
			Endpoint:            e.S3Endpoint,
		},
		secret: e.OriginVerifySecret,
		limits: converter.Limits{MaxSourceBytes: e.MaxSourceBytes, MaxSourcePixels: e.MaxSourcePixels, MaxFrames: int(e.MaxFrames), Budget: e.Budget},
	}, nil
}
