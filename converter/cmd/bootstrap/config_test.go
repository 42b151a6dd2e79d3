package main

import (
	"testing"

	"imgcells/contract"
	"imgcells/converter"
)

// The environment's names and checks are contract.LoadConverterEnv's (tested
// there and against the deployed environment in components); this checks
// that the bootstrap hands every value to the right place.
func TestLoadConfigWiresTheEnvironment(t *testing.T) {
	vars := contract.ConverterEnv{
		SourceBucket: "imgcells-source-eu-west-1", PrimarySourceBucket: "imgcells-source",
		PrimaryRegion: "us-east-1", TransformedBucket: "imgcells-transformed-eu-west-1",
		OriginVerifySecret: "0123456789abcdef0123", MaxSourceBytes: 1048576, MaxSourcePixels: 4000000,
		MaxFrames: 120, S3Endpoint: "http://127.0.0.1:7070",
	}.Vars()
	vars[contract.EnvRegion] = "eu-west-1"
	vars[contract.EnvFunctionMemory] = "1024"
	c, err := loadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.store.Region != "eu-west-1" || c.store.SourceBucket != "imgcells-source-eu-west-1" ||
		c.store.PrimarySourceBucket != "imgcells-source" || c.store.PrimaryRegion != "us-east-1" ||
		c.store.TransformedBucket != "imgcells-transformed-eu-west-1" || c.store.Endpoint != "http://127.0.0.1:7070" {
		t.Errorf("store config %+v", c.store)
	}
	if c.secret != "0123456789abcdef0123" {
		t.Errorf("secret %q", c.secret)
	}
	if c.limits != (converter.Limits{MaxSourceBytes: 1048576, MaxSourcePixels: 4000000, MaxFrames: 120,
		Budget: contract.Budget{MemoryMB: 1024, Timeout: contract.ConverterTimeout}}) {
		t.Errorf("limits %+v", c.limits)
	}
	if _, err := loadConfig(func(string) string { return "" }); err == nil {
		t.Error("an empty environment loads")
	}
}
