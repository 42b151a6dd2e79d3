package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/converter/store/storetest"
)

// checkPurgeUnderRIE runs the same bootstrap with IMGCELLS_FUNCTION=purge:
// the purge function. It reads an SQS batch, ignores S3's test event, purges
// the stale variant of a changed original from the transformed bucket while
// keeping key (made from the current version), and reports the message it
// could not finish (no SQS here for its settle check) and an unreadable one
// as batch item failures.
func checkPurgeUnderRIE(t *testing.T, srv *storetest.Server, key string) {
	t.Helper()
	stale := contract.VariantKey("e2e dir/photo +1 ü.jpg", contract.Variant{Format: contract.FormatJPEG, Quality: 75, Width: 64})
	if _, err := srv.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("transformed"), Key: aws.String(stale), Body: bytes.NewReader([]byte("old")),
		Metadata: map[string]string{contract.SourceETagMetadata: "an-older-version"},
	}); err != nil {
		t.Fatal(err)
	}
	purgeURL, _ := startRIE(t, srv, []string{
		contract.EnvFunction + "=" + contract.FunctionPurge,
		contract.EnvTransformedBuckets + "=" + srv.Region + "=transformed",
		contract.EnvDistributionID + "=E2ETEST",
		contract.EnvPurgeQueueURL + "=https://sqs." + srv.Region + ".amazonaws.com/123456789012/none",
		"AWS_MAX_ATTEMPTS=1",
	}, builtBootstrap(t, "amd64"))
	event := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventTime":"2026-01-01T00:00:00.000Z",` +
		`"eventName":"ObjectCreated:Put","s3":{"object":{"key":"e2e+dir/photo+%2B1+%C3%BC.jpg"}}}]}`
	sqsEvent := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "test", Body: `{"Service":"Amazon S3","Event":"s3:TestEvent"}`},
		{MessageId: "change", Body: event},
		{MessageId: "junk", Body: "not json"},
	}}
	body, err := json.Marshal(sqsEvent)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(purgeURL, "application/json", bytes.NewReader(body)) //nolint:gosec // G107: the emulator on loopback
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	var answer events.SQSEventResponse
	if err := json.Unmarshal(raw, &answer); err != nil || len(answer.BatchItemFailures) != 2 ||
		answer.BatchItemFailures[0].ItemIdentifier != "change" || answer.BatchItemFailures[1].ItemIdentifier != "junk" {
		t.Errorf("purge answered %s (%v); want the change (its settle check cannot be queued here) and junk as failures", raw, err)
	}
	if _, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("transformed"), Key: aws.String(stale)}); err == nil {
		t.Errorf("the stale variant %q survived the purge", stale)
	}
	if _, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("transformed"), Key: aws.String(key)}); err != nil {
		t.Errorf("the fresh variant %q was purged: %v", key, err)
	}
}
