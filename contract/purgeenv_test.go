package contract

import (
	"reflect"
	"strings"
	"testing"
)

func validPurgeEnv() map[string]string {
	return map[string]string{
		EnvFunction:            FunctionPurge,
		EnvRegion:              "us-east-1",
		EnvPrimarySourceBucket: "imgcells-source",
		EnvPrimaryRegion:       "us-east-1",
		EnvTransformedBuckets:  "eu-west-1=imgcells-transformed-eu,us-east-1=imgcells-transformed-us",
		EnvDistributionID:      "E2EXAMPLE",
		EnvPurgeQueueURL:       "https://sqs.us-east-1.amazonaws.com/123456789012/purge",
	}
}

func TestPurgeEnvRoundTrip(t *testing.T) {
	e, err := LoadPurgeEnv(env(validPurgeEnv()))
	if err != nil {
		t.Fatal(err)
	}
	want := PurgeEnv{
		Region: "us-east-1", PrimarySourceBucket: "imgcells-source", PrimaryRegion: "us-east-1",
		TransformedBuckets: map[string]string{"eu-west-1": "imgcells-transformed-eu", "us-east-1": "imgcells-transformed-us"},
		DistributionID:     "E2EXAMPLE", QueueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/purge",
	}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("got %+v\nwant %+v", e, want)
	}
	vars := e.Vars()
	if _, ok := vars[EnvRegion]; ok {
		t.Errorf("Vars sets %s, which Lambda reserves", EnvRegion)
	}
	vars[EnvRegion] = e.Region
	back, err := LoadPurgeEnv(env(vars))
	if err != nil || !reflect.DeepEqual(back, e) {
		t.Errorf("Vars does not load back: %+v, %v", back, err)
	}
}

func TestLoadPurgeEnvNamesEveryBadVariable(t *testing.T) {
	for _, name := range []string{EnvFunction, EnvRegion, EnvPrimarySourceBucket, EnvPrimaryRegion,
		EnvTransformedBuckets, EnvDistributionID, EnvPurgeQueueURL} {
		m := validPurgeEnv()
		delete(m, name)
		if _, err := LoadPurgeEnv(env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: error %v, want one naming it", name, err)
		}
	}
	for _, bad := range []string{"eu-west-1", "=b", "a=", "a=b,a=c", "a=b,,c=d"} {
		m := validPurgeEnv()
		m[EnvTransformedBuckets] = bad
		if _, err := LoadPurgeEnv(env(m)); err == nil || !strings.Contains(err.Error(), EnvTransformedBuckets) {
			t.Errorf("%s=%q: error %v, want one naming it", EnvTransformedBuckets, bad, err)
		}
	}
	// The converter's environment is not the purge's.
	if _, err := LoadPurgeEnv(env(validEnv())); err == nil {
		t.Error("the converter's environment loads as a purge's")
	}
}

func TestTrimETag(t *testing.T) {
	for in, want := range map[string]string{`"abc"`: "abc", "abc": "abc", `""`: "", `"`: `"`, "": ""} {
		if got := TrimETag(in); got != want {
			t.Errorf("TrimETag(%q) = %q, want %q", in, got, want)
		}
	}
}
