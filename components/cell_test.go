package components

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"imgcells/contract"
)

// converters are the cells' converter functions (the purge is a function too).
func (d *deployment) converters() []*recorded {
	var out []*recorded
	for _, fn := range d.ofType(tFunction) {
		if strings.HasSuffix(fn.Name, "-converter") {
			out = append(out, fn)
		}
	}
	return out
}

func checkConverter(t *testing.T, d *deployment) {
	fns := d.converters()
	if len(fns) != len(d.cfg.Regions) {
		t.Fatalf("%d converter functions for %d regions", len(fns), len(d.cfg.Regions))
	}
	primarySource := str(d.named(tBucket, child(CellName(d.cfg.PrimaryRegion), "source")).Outputs, "bucket")
	for _, fn := range fns {
		region := strings.TrimSuffix(strings.TrimPrefix(fn.Name, "cell-"), "-converter")
		in := fn.Inputs
		if to := num(in, "timeout"); to <= 0 || to >= 30 {
			t.Errorf("%s timeout %d, want below API Gateway's 30 s", fn.Name, to)
		}
		if str(in, "runtime") != "provided.al2023" || !slices.Equal(strs(in, "architectures"), []string{"arm64"}) || str(in, "handler") != "bootstrap" {
			t.Errorf("%s: runtime %q arch %v handler %q", fn.Name, str(in, "runtime"), strs(in, "architectures"), str(in, "handler"))
		}
		if num(in, "memorySize") != d.cfg.ConverterMemoryMB {
			t.Errorf("%s memory %d", fn.Name, num(in, "memorySize"))
		}
		wantRes := -1
		if d.cfg.ConverterReservedConcurrency > 0 {
			wantRes = d.cfg.ConverterReservedConcurrency
		}
		if num(in, "reservedConcurrentExecutions") != wantRes {
			t.Errorf("%s reserved concurrency %d, want %d", fn.Name, num(in, "reservedConcurrentExecutions"), wantRes)
		}
		if str(in, "sourceCodeHash") == "" {
			t.Errorf("%s has no source code hash", fn.Name)
		}
		checkConverterEnv(t, d, fn, region, primarySource)
	}
}

func checkAPI(t *testing.T, d *deployment) {
	var routes []string
	for _, r := range d.ofType(tRoute) {
		routes = append(routes, str(r.Inputs, "routeKey"))
	}
	for _, want := range ConverterRoutes {
		if n := strings.Count(strings.Join(routes, "\n")+"\n", want+"\n"); n != len(d.cfg.Regions) {
			t.Errorf("route %q in %d APIs, want %d", want, n, len(d.cfg.Regions))
		}
	}
	if len(routes) != len(ConverterRoutes)*len(d.cfg.Regions) {
		t.Errorf("routes %v", routes)
	}
	for _, i := range d.ofType(tIntegration) {
		if str(i.Inputs, "payloadFormatVersion") != "2.0" || str(i.Inputs, "integrationType") != "AWS_PROXY" {
			t.Errorf("%s: %v", i.Name, i.Inputs)
		}
	}
	checkAPIExposure(t, d)
}

// With a domain the converters answer only at convert.<domain>: the default
// execute-api endpoint is off (CloudFront's origin is convert.<domain>, checkCDN).
// Without one CloudFront needs that endpoint, so it stays on. Every stage throttles its
// routes as configured, and every custom domain's mapping waits for its stage.
func checkAPIExposure(t *testing.T, d *deployment) {
	apis := d.ofType(tAPI)
	if len(apis) != len(d.cfg.Regions) {
		t.Fatalf("%d APIs for %d regions", len(apis), len(d.cfg.Regions))
	}
	for _, a := range apis {
		if off := boolean(a.Inputs, "disableExecuteApiEndpoint"); off != (d.cfg.Domain != "") {
			t.Errorf("%s: execute-api endpoint disabled %v, domain %q", a.Name, off, d.cfg.Domain)
		}
	}
	stages := d.ofType(tStage)
	if len(stages) != len(d.cfg.Regions) {
		t.Fatalf("%d stages for %d regions", len(stages), len(d.cfg.Regions))
	}
	for _, st := range stages {
		rs := []any{"defaultRouteSettings"}
		if rate, burst := get(st.Inputs, append(rs, "throttlingRateLimit")...), num(st.Inputs, append(rs, "throttlingBurstLimit")...); !rate.IsNumber() ||
			rate.NumberValue() != float64(d.cfg.APIThrottleRate) || burst != d.cfg.APIThrottleBurst {
			t.Errorf("%s: throttling rate %v burst %d, want %d and %d", st.Name, rate, burst, d.cfg.APIThrottleRate, d.cfg.APIThrottleBurst)
		}
	}
	mappings := d.ofType(tMapping)
	if want := map[bool]int{true: len(d.cfg.Regions), false: 0}[d.cfg.Domain != ""]; len(mappings) != want {
		t.Errorf("%d API mappings, want %d", len(mappings), want)
	}
	for _, m := range mappings {
		cell := d.component(m).Name
		stage := d.named(tStage, child(cell, "api-stage"))
		if stage == nil || !dependsOn(m, tStage, stage.Name) {
			t.Errorf("%s does not depend on its stage %s: a mapping created first fails", m.Name, child(cell, "api-stage"))
			continue
		}
		if str(m.Inputs, "stage") != str(stage.Inputs, "name") {
			t.Errorf("%s maps stage %q, not %q", m.Name, str(m.Inputs, "stage"), str(stage.Inputs, "name"))
		}
	}
}

// checkConverterEnv loads the environment the stack gives a converter function
// with the bootstrap's own loader (contract.LoadConverterEnv), adding only
// AWS_REGION and the function's memory as Lambda does: a variable renamed or
// dropped on either side, or one more required, fails here.
func checkConverterEnv(t *testing.T, d *deployment, fn *recorded, region, primarySource string) {
	t.Helper()
	env := get(fn.Inputs, "environment", "variables").ObjectValue()
	if !env[contract.EnvOriginVerifySecret].ContainsSecrets() {
		t.Errorf("%s: the origin-verify secret is not a Pulumi secret", fn.Name)
	}
	// The C library reads this one at start: malloc asks for huge pages.
	if v, ok := env[contract.EnvGlibcTunables]; !ok || !plain(v).IsString() || plain(v).StringValue() != contract.ConverterGlibcTunables {
		t.Errorf("%s: %s is %v, want %q", fn.Name, contract.EnvGlibcTunables, v, contract.ConverterGlibcTunables)
	}
	vars := map[string]string{
		contract.EnvRegion:         region,
		contract.EnvFunctionMemory: strconv.Itoa(num(fn.Inputs, "memorySize")),
	}
	for k, v := range env {
		vars[string(k)] = plain(v).StringValue()
	}
	got, err := contract.LoadConverterEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("%s: the bootstrap refuses the deployed environment: %v", fn.Name, err)
	}
	want := contract.ConverterEnv{
		Region:              region,
		SourceBucket:        str(d.named(tBucket, child(CellName(region), "source")).Outputs, "bucket"),
		PrimarySourceBucket: primarySource,
		PrimaryRegion:       d.cfg.PrimaryRegion,
		TransformedBucket:   str(d.named(tBucket, child(CellName(region), "transformed")).Outputs, "bucket"),
		OriginVerifySecret:  testSecret,
		MaxSourceBytes:      d.cfg.MaxSourceBytes,
		MaxSourcePixels:     d.cfg.MaxSourcePixels,
		MaxFrames:           int64(d.cfg.MaxFrames),
		Budget:              contract.Budget{MemoryMB: d.cfg.ConverterMemoryMB, Timeout: contract.ConverterTimeout},
	}
	if got != want {
		t.Errorf("%s: the bootstrap reads\n%+v\nwant\n%+v", fn.Name, got, want)
	}
	// Nothing is set that the bootstrap does not read.
	want.Region = ""
	for k := range vars {
		if _, ok := want.Vars()[k]; !ok && k != contract.EnvRegion && k != contract.EnvFunctionMemory {
			t.Errorf("%s: sets %s, which the bootstrap does not read", fn.Name, k)
		}
	}
}
