package purge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"imgcells/contract"
)

// Message is one queued message: an S3 event notification, S3's test event,
// or a settle check the purge queued for itself.
type Message struct {
	ID   string // the queue's message id, reported back when it must come again
	Body string
}

// Queue holds the purge's own delayed checks.
type Queue interface {
	// Send queues body, delivered no sooner than delay from now.
	Send(ctx context.Context, body string, delay time.Duration) error
}

// MaxDelay is the longest delay SQS gives a message (DelaySeconds, 900).
const MaxDelay = 15 * time.Minute

// SQS is the purge queue.
type SQS struct {
	Client *sqs.Client
	URL    string
}

// Send implements Queue.
func (q SQS) Send(ctx context.Context, body string, delay time.Duration) error {
	secs := int32(math.Ceil(min(max(delay, 0), MaxDelay).Seconds()))
	_, err := q.Client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(q.URL), MessageBody: aws.String(body), DelaySeconds: secs,
	})
	if err != nil {
		return fmt.Errorf("queueing a settle check: %w", err)
	}
	return nil
}

// change is an original that changed, from an S3 event notification.
type change struct {
	Key  string
	Time time.Time // when S3 finished the write or delete
}

// settle is the check the purge queues for itself.
type settle struct {
	Key     string    `json:"key"`
	After   time.Time `json:"after"`           // not before: the last moment a stale variant could be stored
	Since   time.Time `json:"since"`           // when the original changed
	Force   bool      `json:"force,omitempty"` // every variant counts as stale
	Attempt int       `json:"attempt"`
}

type settleBody struct {
	Settle *settle `json:"imgcellsSettle"`
}

func (s settle) body() string {
	b, _ := json.Marshal(settleBody{Settle: &s}) //nolint:errchkjson // strings, times, ints
	return string(b)
}

// errIgnore marks a message with nothing to do (S3's test event).
var errIgnore = errors.New("nothing to purge")

// parse reads a message body: S3 event notification records (whose keys S3
// writes form-encoded: "a b.jpg" arrives as "a+b.jpg", S3 user guide, "Event
// message structure"), the s3:TestEvent S3 sends when the notification is
// configured, or a settle check.
func parse(body string) ([]change, *settle, error) {
	var probe struct {
		Records []json.RawMessage `json:"Records"`
		Event   string            `json:"Event"`
		Settle  *settle           `json:"imgcellsSettle"`
	}
	if err := json.Unmarshal([]byte(body), &probe); err != nil {
		return nil, nil, fmt.Errorf("not JSON: %w", err)
	}
	switch {
	case probe.Settle != nil:
		if err := contract.CheckOriginalKey(probe.Settle.Key); err != nil {
			return nil, nil, fmt.Errorf("settle check for %q: %w", probe.Settle.Key, err)
		}
		return nil, probe.Settle, nil
	case probe.Event == "s3:TestEvent":
		return nil, nil, errIgnore
	case len(probe.Records) == 0:
		return nil, nil, errors.New("neither an S3 event nor a settle check")
	}
	var ev events.S3Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return nil, nil, fmt.Errorf("not an S3 event: %w", err)
	}
	var out []change
	for _, r := range ev.Records {
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") && !strings.HasPrefix(r.EventName, "ObjectRemoved:") {
			continue
		}
		key := r.S3.Object.URLDecodedKey
		if err := contract.CheckOriginalKey(key); err != nil {
			// Not a key the CDN can serve (such as "a//b"): it has no variants.
			continue
		}
		out = append(out, change{Key: key, Time: r.EventTime})
	}
	if len(out) == 0 {
		return nil, nil, errIgnore
	}
	return out, nil, nil
}
