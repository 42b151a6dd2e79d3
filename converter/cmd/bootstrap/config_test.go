package main

import (
	"strings"
	"testing"

	"imgcells/converter"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func validEnv() map[string]string {
	return map[string]string{
		envRegion:            "eu-west-1",
		envSourceBucket:      "imgcells-source-eu-west-1",
		envPrimarySource:     "imgcells-source",
		envPrimaryRegion:     "us-east-1",
		envTransformedBucket: "imgcells-transformed-eu-west-1",
		envSecret:            "0123456789abcdef0123",
	}
}

func TestLoadConfig(t *testing.T) {
	c, err := loadConfig(env(validEnv()))
	if err != nil {
		t.Fatal(err)
	}
	if c.store.Region != "eu-west-1" || c.store.SourceBucket != "imgcells-source-eu-west-1" ||
		c.store.PrimarySourceBucket != "imgcells-source" || c.store.PrimaryRegion != "us-east-1" ||
		c.store.TransformedBucket != "imgcells-transformed-eu-west-1" || c.store.Endpoint != "" {
		t.Errorf("store config %+v", c.store)
	}
	if c.limits != converter.DefaultLimits() {
		t.Errorf("limits %+v, want the defaults when unset", c.limits)
	}

	m := validEnv()
	m[envMaxSourceBytes], m[envMaxSourcePixels], m[envS3Endpoint] = "1048576", "4000000", "http://127.0.0.1:7070"
	c, err = loadConfig(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if c.limits.MaxSourceBytes != 1048576 || c.limits.MaxSourcePixels != 4000000 || c.store.Endpoint != "http://127.0.0.1:7070" {
		t.Errorf("overrides not applied: %+v %q", c.limits, c.store.Endpoint)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	for _, name := range []string{envRegion, envSourceBucket, envPrimarySource, envPrimaryRegion, envTransformedBucket, envSecret} {
		m := validEnv()
		delete(m, name)
		if _, err := loadConfig(env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: error %v, want one naming it", name, err)
		}
	}
	for name, value := range map[string]string{
		envMaxSourceBytes: "lots", envMaxSourcePixels: "-5", envSecret: "short",
	} {
		m := validEnv()
		m[name] = value
		if _, err := loadConfig(env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v, want one naming it", name, value, err)
		}
	}
}
