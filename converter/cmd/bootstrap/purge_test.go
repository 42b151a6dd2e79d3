package main

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"imgcells/contract"
	"imgcells/purge"
)

// The purge's environment names and checks are contract.LoadPurgeEnv's
// (tested there and against the deployed environment in components); this
// checks that the bootstrap hands every value to the right place.
func TestSetupPurgeWiresTheEnvironment(t *testing.T) {
	vars := contract.PurgeEnv{
		PrimarySourceBucket: "imgcells-source", PrimaryRegion: "us-east-1",
		TransformedBuckets: map[string]string{"us-east-1": "t-us", "eu-west-1": "t-eu"},
		DistributionID:     "E2EXAMPLE", QueueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/purge",
	}.Vars()
	vars[contract.EnvRegion] = "us-east-1"
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	w, err := setupPurge(context.Background(), func(k string) string { return vars[k] }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	src, ok := w.Purger.Source.(purge.S3Source)
	if !ok || src.Bucket != "imgcells-source" || src.Client.Options().Region != "us-east-1" {
		t.Errorf("source %+v", w.Purger.Source)
	}
	var got []string
	for _, b := range w.Purger.Buckets {
		sb := b.(purge.S3Bucket)
		if sb.Client.Options().Region != sb.In {
			t.Errorf("bucket %s in %s is read with a client for %s", sb.Name, sb.In, sb.Client.Options().Region)
		}
		got = append(got, sb.In+"="+sb.Name)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"eu-west-1=t-eu", "us-east-1=t-us"}) {
		t.Errorf("buckets %v", got)
	}
	if cf := w.Invalidator.(purge.CloudFront); cf.DistributionID != "E2EXAMPLE" {
		t.Errorf("distribution %q", cf.DistributionID)
	}
	if q := w.Queue.(purge.SQS); q.URL != vars[contract.EnvPurgeQueueURL] {
		t.Errorf("queue %q", q.URL)
	}
	if _, err := setupPurge(context.Background(), func(string) string { return "" }, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("an empty environment sets up a purge")
	}
}
