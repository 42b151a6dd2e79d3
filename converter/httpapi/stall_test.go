package httpapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/converter/httpapi"
	"imgcells/converter/store"
	"imgcells/converter/store/storetest"
)

// A miss whose original S3 stopped sending partway is still a 200 (the rest
// asked for again), and its log line counts the request made again, as the
// s3_retries metric, so that S3 stalls show in CloudWatch.
func TestAStalledOriginalIsCountedInTheLogLine(t *testing.T) {
	srv := storetest.Start(t)
	srv.CreateBuckets(t, "source", "transformed")
	srv.Put(t, "source", "products/photo.jpg", photo(t, "photo.jpg"), "image/jpeg")
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(&storetest.StallProxy{Target: target, Plan: func(n int) (bool, int) {
		if n == 0 {
			return false, 10_000 // the first answer's body stops after 10 KB
		}
		return false, -1
	}})
	t.Cleanup(proxy.Close)
	st, err := store.NewS3(srv.AWSConfig(), store.S3Config{
		Region: srv.Region, SourceBucket: "source", PrimaryRegion: srv.Region, PrimarySourceBucket: "source",
		TransformedBucket: "transformed", Endpoint: proxy.URL, StallTimeout: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	h, err := httpapi.New(httpapi.Config{
		Originals: st, Variants: st, OriginVerifySecret: secret, Function: testFunction,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := harness{h: h, logs: logs}
	if resp := hs.do(t, fixture(t, "get.json")); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	line := hs.lastLog(t)
	if line[contract.MetricS3Retries] != 1.0 {
		t.Errorf("%s = %v, want 1", contract.MetricS3Retries, line[contract.MetricS3Retries])
	}
	if _, err := checkEMF(line); err != nil {
		t.Error(err)
	}
}
