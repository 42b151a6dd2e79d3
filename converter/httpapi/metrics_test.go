package httpapi_test

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"imgcells/contract"
	"imgcells/converter/httpapi"
)

// emfUnits are the units the EMF schema allows.
var emfUnits = strings.Split("Seconds|Microseconds|Milliseconds|Bytes|Kilobytes|Megabytes|Gigabytes|Terabytes|Bits|Kilobits|"+
	"Megabits|Gigabits|Terabits|Percent|Count|Bytes/Second|Kilobytes/Second|Megabytes/Second|Gigabytes/Second|"+
	"Terabytes/Second|Bits/Second|Kilobits/Second|Megabits/Second|Gigabits/Second|Terabits/Second|Count/Second|None", "|")

// checkEMF applies the Embedded Metric Format specification to one decoded log
// line: an "_aws" object with an integer millisecond Timestamp and at least one
// MetricDirective; every directive with a Namespace, Dimensions (at least one
// set, each of at most 9 keys naming string members of the root) and at most
// 100 Metrics naming numeric members of the root with a valid unit. It returns
// the metric names it declares.
func checkEMF(line map[string]any) ([]string, error) {
	aws, ok := line["_aws"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no _aws object in %v", line)
	}
	ts, ok := aws["Timestamp"].(float64)
	if !ok || ts != math.Trunc(ts) || ts < 1e12 {
		return nil, fmt.Errorf("_aws.Timestamp %v is not milliseconds since the epoch", aws["Timestamp"])
	}
	dirs, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(dirs) == 0 {
		return nil, fmt.Errorf("_aws.CloudWatchMetrics %v is not a non-empty array", aws["CloudWatchMetrics"])
	}
	var names []string
	for _, d := range dirs {
		dir, ok := d.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("directive %v is not an object", d)
		}
		if ns, ok := dir["Namespace"].(string); !ok || ns == "" || len(ns) > 255 {
			return nil, fmt.Errorf("namespace %v", dir["Namespace"])
		}
		sets, ok := dir["Dimensions"].([]any)
		if !ok || len(sets) == 0 {
			return nil, fmt.Errorf("dimensions %v: want at least one dimension set", dir["Dimensions"])
		}
		for _, s := range sets {
			set, ok := s.([]any)
			if !ok || len(set) > 9 {
				return nil, fmt.Errorf("dimension set %v: want an array of at most 9 keys", s)
			}
			for _, k := range set {
				key, _ := k.(string)
				if v, ok := line[key].(string); !ok || v == "" {
					return nil, fmt.Errorf("dimension %q: the root has no string member of that name (%v)", key, line[key])
				}
			}
		}
		ms, ok := dir["Metrics"].([]any)
		if !ok || len(ms) == 0 || len(ms) > 100 {
			return nil, fmt.Errorf("metrics %v: want 1 to 100 definitions", dir["Metrics"])
		}
		for _, m := range ms {
			def, _ := m.(map[string]any)
			name, _ := def["Name"].(string)
			if _, ok := line[name].(float64); !ok {
				return nil, fmt.Errorf("metric %q: the root has no numeric member of that name (%v)", name, line[name])
			}
			if u, ok := def["Unit"].(string); ok && !slices.Contains(emfUnits, u) {
				return nil, fmt.Errorf("metric %q: unit %q is not a CloudWatch unit", name, u)
			}
			names = append(names, name)
		}
	}
	return names, nil
}

const testFunction = "cell-eu-west-1-converter-1a2b3c"

func withFunction(c *httpapi.Config) { c.Function = testFunction }

// A conversion's log line is a valid EMF document that publishes the converter's
// metrics in contract.MetricNamespace, per function and format.
func TestConversionLogLineCarriesEMFMetrics(t *testing.T) {
	hs := newHarness(t, withFunction)
	if resp := hs.do(t, fixture(t, "get.json")); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	line := hs.lastLog(t)
	names, err := checkEMF(line)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{contract.MetricConvertMs, contract.MetricBytesIn, contract.MetricBytesOut,
		contract.MetricBytesSaved, contract.MetricPrimaryRead, contract.MetricAlreadyStored, contract.MetricS3Retries}
	if !slices.Equal(names, want) {
		t.Errorf("metrics %v, want %v", names, want)
	}
	dir := line["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if dir["Namespace"] != contract.MetricNamespace {
		t.Errorf("namespace %v", dir["Namespace"])
	}
	if got := fmt.Sprint(dir["Dimensions"]); got != "[[function format] [function]]" {
		t.Errorf("dimension sets %s, want per function and format, and per function", got)
	}
	in, out := line[contract.MetricBytesIn].(float64), line[contract.MetricBytesOut].(float64)
	for k, v := range map[string]any{
		contract.MetricDimFunction: testFunction, contract.MetricDimFormat: "webp",
		contract.MetricBytesSaved: in - out, contract.MetricPrimaryRead: 0.0, contract.MetricAlreadyStored: 0.0,
		contract.MetricS3Retries: 0.0,
		"request_id":             "Ab1CdEfGhIjKlMn=",
	} {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if in <= out || out <= 0 {
		t.Errorf("bytes_in %v bytes_out %v: a 240-wide WebP of a 480-wide JPEG should be smaller", in, out)
	}
}

// The second conversion of one variant finds it stored (the MRAP signal); an
// original read from the primary bucket counts as such; the format dimension is
// the output's, which is PNG when a JPEG is asked of a transparent source.
func TestMetricsFlagAlreadyStoredPrimaryReadsAndOutputFormat(t *testing.T) {
	hs := newHarness(t, withFunction)
	hs.do(t, fixture(t, "get.json"))
	if resp := hs.do(t, fixture(t, "get.json")); resp.StatusCode != http.StatusOK {
		t.Fatalf("second conversion: status %d", resp.StatusCode)
	}
	if line := hs.lastLog(t); line[contract.MetricAlreadyStored] != 1.0 || line["stored"] != false {
		t.Errorf("second conversion of one variant: already_stored %v stored %v, want 1 and false",
			line[contract.MetricAlreadyStored], line["stored"])
	}

	hs.mem.PutPrimary("new/alpha.png", photo(t, "alpha.png"))
	resp := hs.do(t, withPath(fixture(t, "get.json"), "/new/alpha.png/format=jpeg,quality=75,width=64"))
	if resp.StatusCode != http.StatusOK || resp.Headers["content-type"] != "image/png" {
		t.Fatalf("status %d type %q, want a PNG for a transparent source", resp.StatusCode, resp.Headers["content-type"])
	}
	line := hs.lastLog(t)
	if _, err := checkEMF(line); err != nil {
		t.Fatal(err)
	}
	if line[contract.MetricPrimaryRead] != 1.0 || line[contract.MetricDimFormat] != "png" || line[contract.MetricAlreadyStored] != 0.0 {
		t.Errorf("primary_read %v format %v already_stored %v, want 1, png, 0",
			line[contract.MetricPrimaryRead], line[contract.MetricDimFormat], line[contract.MetricAlreadyStored])
	}
}

// Only conversions are samples: refusals carry no metrics, and neither does a
// handler that was given no function name.
func TestNoMetricsWithoutAConversion(t *testing.T) {
	hs := newHarness(t, withFunction)
	for _, e := range []struct {
		name string
		path string
		drop bool
	}{
		{"no secret", "/products/photo.jpg/format=webp,quality=75,width=240", true},
		{"bad variant", "/products/photo.jpg/format=webp,width=240", false},
		{"missing original", "/products/none.jpg/format=webp,quality=75,width=240", false},
	} {
		req := withPath(fixture(t, "get.json"), e.path)
		if e.drop {
			delete(req.Headers, contract.OriginVerifyHeader)
		}
		if resp := hs.do(t, req); resp.StatusCode < 400 {
			t.Fatalf("%s: status %d", e.name, resp.StatusCode)
		}
		if line := hs.lastLog(t); line["_aws"] != nil || line[contract.MetricDimFunction] != nil {
			t.Errorf("%s: a refusal carries metrics: %v", e.name, line)
		}
	}
	plain := newHarness(t, nil)
	plain.do(t, fixture(t, "get.json"))
	if line := plain.lastLog(t); line["_aws"] != nil {
		t.Errorf("a handler without a function name wrote metrics: %v", line)
	}
}
