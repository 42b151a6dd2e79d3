package contract

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func validEnv() map[string]string {
	return map[string]string{
		EnvRegion:              "eu-west-1",
		EnvSourceBucket:        "imgcells-source-eu-west-1",
		EnvPrimarySourceBucket: "imgcells-source",
		EnvPrimaryRegion:       "us-east-1",
		EnvTransformedBucket:   "imgcells-transformed-eu-west-1",
		EnvOriginVerifySecret:  "0123456789abcdef0123",
	}
}

func TestLoadConverterEnv(t *testing.T) {
	e, err := LoadConverterEnv(env(validEnv()))
	if err != nil {
		t.Fatal(err)
	}
	want := ConverterEnv{
		Region: "eu-west-1", SourceBucket: "imgcells-source-eu-west-1", PrimarySourceBucket: "imgcells-source",
		PrimaryRegion: "us-east-1", TransformedBucket: "imgcells-transformed-eu-west-1",
		OriginVerifySecret: "0123456789abcdef0123",
		MaxSourceBytes:     DefaultMaxSourceBytes, MaxSourcePixels: DefaultMaxSourcePixels, MaxFrames: DefaultMaxFrames,
		Budget: DefaultBudget(),
	}
	if e != want {
		t.Errorf("got %+v\nwant %+v (the defaults when limits are unset)", e, want)
	}

	m := validEnv()
	m[EnvMaxSourceBytes], m[EnvMaxSourcePixels], m[EnvS3Endpoint] = "1048576", "4000000", "http://127.0.0.1:7070"
	m[EnvFunctionMemory] = "1024"
	e, err = LoadConverterEnv(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if e.MaxSourceBytes != 1048576 || e.MaxSourcePixels != 4000000 || e.S3Endpoint != "http://127.0.0.1:7070" {
		t.Errorf("overrides not applied: %+v", e)
	}
	if e.Budget != (Budget{MemoryMB: 1024, Timeout: ConverterTimeout}) {
		t.Errorf("budget %+v, want Lambda's 1024 MB and the converter timeout", e.Budget)
	}
}

func TestVarsRoundTrip(t *testing.T) {
	e, err := LoadConverterEnv(env(validEnv()))
	if err != nil {
		t.Fatal(err)
	}
	vars := e.Vars()
	if _, ok := vars[EnvRegion]; ok {
		t.Errorf("Vars sets %s, which Lambda reserves", EnvRegion)
	}
	vars[EnvRegion] = e.Region
	back, err := LoadConverterEnv(env(vars))
	if err != nil || back != e {
		t.Errorf("Vars does not load back: %+v, %v; want %+v", back, err, e)
	}
}

func TestLoadConverterEnvNamesEveryBadVariable(t *testing.T) {
	for _, name := range []string{EnvRegion, EnvSourceBucket, EnvPrimarySourceBucket, EnvPrimaryRegion, EnvTransformedBucket, EnvOriginVerifySecret} {
		m := validEnv()
		delete(m, name)
		if _, err := LoadConverterEnv(env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: error %v, want one naming it", name, err)
		}
	}
	for name, value := range map[string]string{
		EnvMaxSourceBytes: "lots", EnvMaxSourcePixels: "-5", EnvOriginVerifySecret: "short",
		EnvFunctionMemory: "128", // too small to hold the reserve
	} {
		m := validEnv()
		m[name] = value
		if _, err := LoadConverterEnv(env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v, want one naming it", name, value, err)
		}
	}
	// Two problems at once are both reported.
	m := validEnv()
	delete(m, EnvSourceBucket)
	m[EnvMaxSourcePixels] = "x"
	_, err := LoadConverterEnv(env(m))
	if err == nil || !strings.Contains(err.Error(), EnvSourceBucket) || !strings.Contains(err.Error(), EnvMaxSourcePixels) {
		t.Errorf("error %v, want both %s and %s named", err, EnvSourceBucket, EnvMaxSourcePixels)
	}
}
