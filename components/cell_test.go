package components

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

var converterEnvKeys = []string{
	"IMGCELLS_MAX_SOURCE_BYTES", "IMGCELLS_MAX_SOURCE_PIXELS", "IMGCELLS_ORIGIN_VERIFY_SECRET",
	"IMGCELLS_PRIMARY_REGION", "IMGCELLS_PRIMARY_SOURCE_BUCKET", "IMGCELLS_SOURCE_BUCKET", "IMGCELLS_TRANSFORMED_BUCKET",
}

func checkConverter(t *testing.T, d *deployment) {
	fns := d.ofType(tFunction)
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
		vars := get(in, "environment", "variables").ObjectValue()
		var keys []string
		for k := range vars {
			keys = append(keys, string(k))
		}
		slices.Sort(keys)
		if !slices.Equal(keys, converterEnvKeys) {
			t.Errorf("%s environment %v, want %v", fn.Name, keys, converterEnvKeys)
		}
		env := get(in, "environment", "variables").ObjectValue()
		if !env["IMGCELLS_ORIGIN_VERIFY_SECRET"].ContainsSecrets() {
			t.Errorf("%s: the origin-verify secret is not a Pulumi secret", fn.Name)
		}
		own := str(d.named(tBucket, child(CellName(region), "source")).Outputs, "bucket")
		e := get(in, "environment", "variables").ObjectValue()
		val := func(k string) string { return plain(e[resource.PropertyKey(k)]).StringValue() }
		if val("IMGCELLS_SOURCE_BUCKET") != own || val("IMGCELLS_PRIMARY_SOURCE_BUCKET") != primarySource ||
			val("IMGCELLS_PRIMARY_REGION") != d.cfg.PrimaryRegion || val("IMGCELLS_ORIGIN_VERIFY_SECRET") != testSecret {
			t.Errorf("%s environment %v", fn.Name, e)
		}
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
}
