package components

import (
	"strings"
)

// PurgeAccess names everything the purge function may touch.
type PurgeAccess struct {
	SourceBucket       string   // ARN of the main source bucket: what is current
	TransformedBuckets []string // ARNs of every region's transformed bucket
	DistributionARN    string   // the one distribution whose cache it invalidates
	Queue              string   // ARN of the purge queue
	LogGroup           string   // ARN of the function's log group
}

// PurgePolicy reads originals' current versions (a HEAD needs s3:GetObject;
// listing makes a missing key a 404 rather than a 403), lists, reads and
// deletes variants in the transformed buckets, invalidates the one
// distribution, consumes its queue and queues its own settle checks there,
// and writes its logs. It cannot write an object anywhere.
func PurgePolicy(a PurgeAccess) string {
	variants := make([]string, len(a.TransformedBuckets))
	for i, b := range a.TransformedBuckets {
		variants[i] = objects(b)
	}
	return doc(
		Statement{Sid: "ReadCurrentOriginals", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{objects(a.SourceBucket)}},
		Statement{Sid: "ListOriginals", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{a.SourceBucket}},
		Statement{Sid: "ListVariants", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: a.TransformedBuckets},
		Statement{Sid: "PurgeVariants", Effect: "Allow", Action: []string{"s3:GetObject", "s3:DeleteObject"}, Resource: variants},
		Statement{Sid: "InvalidateTheDistribution", Effect: "Allow", Action: []string{"cloudfront:CreateInvalidation"}, Resource: []string{a.DistributionARN}},
		Statement{Sid: "UseThePurgeQueue", Effect: "Allow",
			Action:   []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"},
			Resource: []string{a.Queue}},
		Statement{Sid: "WriteLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{a.LogGroup + ":*"}},
	).JSON()
}

// accountOf is the account id in an ARN (arn:aws:sqs:<region>:<account>:<name>).
func accountOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// PurgeQueuePolicy lets the main source bucket, and nothing else, send its
// event notifications to the purge queue (S3 user guide, "Granting
// permissions to publish event notification messages to a destination"): the
// bucket's ARN and the queue's own account, so a bucket of the same name in
// another account cannot.
func PurgeQueuePolicy(queueARN, sourceBucketARN string) string {
	return doc(Statement{
		Sid: "AllowMainSourceBucketEvents", Effect: "Allow", Principal: service("s3.amazonaws.com"),
		Action:   []string{"sqs:SendMessage"},
		Resource: []string{queueARN},
		Condition: map[string]map[string]any{
			"ArnEquals":    {"aws:SourceArn": sourceBucketARN},
			"StringEquals": {"aws:SourceAccount": accountOf(queueARN)},
		},
	}).JSON()
}
