package components

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PolicyDocument is an IAM or resource policy. The builders below are pure functions over
// plain ARNs, so what they grant is tested without Pulumi; components call them inside
// ApplyT once the ARNs are known.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Principal is "*" or a map such as {"Service": "…"}.
type Statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// JSON renders the document; it cannot fail for these types.
func (d PolicyDocument) JSON() string {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("marshalling policy: %v", err)) // unreachable: only strings and maps
	}
	return string(b)
}

func doc(st ...Statement) PolicyDocument { return PolicyDocument{Version: "2012-10-17", Statement: st} }

func service(name string) map[string]string { return map[string]string{"Service": name} }

// AssumeRolePolicy lets an AWS service (lambda.amazonaws.com, s3.amazonaws.com) assume a role.
func AssumeRolePolicy(svc string) string {
	return doc(Statement{Effect: "Allow", Principal: service(svc), Action: []string{"sts:AssumeRole"}}).JSON()
}

// objects is the ARN of every object in a bucket.
func objects(bucketARN string) string { return bucketARN + "/*" }

// TLSOnly denies every request to the bucket that does not use TLS.
func TLSOnly(bucketARN string) Statement {
	return Statement{
		Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*",
		Action:    []string{"s3:*"},
		Resource:  []string{bucketARN, objects(bucketARN)},
		Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
	}
}

// BucketPolicy is a bucket's whole policy: TLS only, plus any grants.
func BucketPolicy(bucketARN string, grants ...Statement) string {
	return doc(append([]Statement{TLSOnly(bucketARN)}, grants...)...).JSON()
}

// CloudFrontRead lets one distribution (and nothing else) read resource.
func CloudFrontRead(resource, distributionARN string) Statement {
	return Statement{
		Sid: "AllowCloudFrontDistributionRead", Effect: "Allow",
		Principal: service("cloudfront.amazonaws.com"),
		Action:    []string{"s3:GetObject"},
		Resource:  []string{resource},
		Condition: map[string]map[string]any{"StringEquals": {"AWS:SourceArn": distributionARN}},
	}
}

// MRAPObjectsARN is the ARN of every object reached through a Multi-Region Access Point:
// arn:aws:s3::<account>:accesspoint/<alias>/object/*, where the alias ends in ".mrap".
func MRAPObjectsARN(account, alias string) string {
	if !strings.HasSuffix(alias, ".mrap") {
		alias += ".mrap"
	}
	return fmt.Sprintf("arn:aws:s3::%s:accesspoint/%s/object/*", account, alias)
}

// MRAPPolicy lets one CloudFront distribution read objects through the access point.
func MRAPPolicy(account, alias, distributionARN string) string {
	return doc(CloudFrontRead(MRAPObjectsARN(account, alias), distributionARN)).JSON()
}

// ConverterAccess names everything the converter Lambda may touch.
type ConverterAccess struct {
	SourceBuckets     []string // ARNs: this region's replica and the primary source bucket
	TransformedBucket string   // ARN of this region's transformed bucket
	LogGroup          string   // ARN of the function's log group
}

// ConverterPolicy reads the source buckets (listing too, so a missing original is a 404
// rather than a 403), reads and writes its own transformed bucket, and writes its logs.
func ConverterPolicy(a ConverterAccess) string {
	srcObjects := make([]string, len(a.SourceBuckets))
	for i, b := range a.SourceBuckets {
		srcObjects[i] = objects(b)
	}
	return doc(
		Statement{Sid: "ReadOriginals", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: srcObjects},
		Statement{Sid: "ListOriginals", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: a.SourceBuckets},
		Statement{Sid: "StoreVariants", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"},
			Resource: []string{objects(a.TransformedBucket)}},
		Statement{Sid: "WriteLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{a.LogGroup + ":*"}},
	).JSON()
}

// ReplicationPolicy lets S3 replicate objects from source to each destination bucket.
func ReplicationPolicy(sourceBucket string, destinations []string) string {
	dst := make([]string, len(destinations))
	for i, d := range destinations {
		dst[i] = objects(d)
	}
	return doc(
		Statement{Sid: "ReadReplicationConfig", Effect: "Allow",
			Action: []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, Resource: []string{sourceBucket}},
		Statement{Sid: "ReadSourceVersions", Effect: "Allow",
			Action:   []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			Resource: []string{objects(sourceBucket)}},
		Statement{Sid: "WriteReplicas", Effect: "Allow",
			Action: []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}, Resource: dst},
	).JSON()
}
