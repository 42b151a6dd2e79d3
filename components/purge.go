package components

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/contract"
)

// The purge function's sizing. A batch is up to purgeBatchSize events, each
// a few S3 calls per region, ending in one invalidation.
const (
	purgeTimeoutSeconds = 120
	purgeMemoryMB       = 256
	purgeBatchSize      = 100
	purgeBatchWindow    = 2 // seconds S3 events gather before a batch starts
	// Two batches at once keep invalidations within CloudFront's 15
	// wildcard paths in progress (purge.MaxWildcards each).
	purgeMaxConcurrency = 2
	// A message that fails this often (an S3 or CloudFront outage, a
	// replication stuck for hours) moves to the dead-letter queue.
	purgeMaxReceives = 10
)

// S3EventsPurged are the main source bucket's events that start a purge:
// every way an original is created, overwritten or removed.
var S3EventsPurged = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}

// PurgeArgs are what the purge needs from the rest of the stack.
type PurgeArgs struct {
	Code             Artifact
	PrimaryRegion    string
	DistributionID   pulumi.StringInput
	DistributionARN  pulumi.StringInput
	LogRetentionDays int
}

// Purge is the purge's queue and function.
type Purge struct {
	QueueURL pulumi.StringOutput
	LogGroup pulumi.StringOutput // the purge function's log group name
	Function *lambda.Function
}

// addPurge wires the main source bucket's events to the purge function in
// the primary region: S3 event notifications into an SQS queue (with a
// dead-letter queue), read in batches by the function, which deletes stale
// variants in every region's transformed bucket and invalidates the
// distribution. The resources are children of the primary cell (its region,
// its provider), named cell-<region>-purge-*.
func addPurge(ctx *pulumi.Context, cells map[string]*RegionalImageCell, args PurgeArgs) (*Purge, error) {
	primary := cells[args.PrimaryRegion]
	if primary == nil || !primary.primary {
		return nil, fmt.Errorf("purge: no primary cell in %s", args.PrimaryRegion)
	}
	name, opts := child(primary.name, "purge"), primary.opts
	q, err := newPurgeQueue(ctx, name, primary.Source, opts...)
	if err != nil {
		return nil, err
	}

	regions := make([]string, 0, len(cells))
	for r := range cells {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	var names, arns pulumi.StringArray
	for _, r := range regions {
		names = append(names, cells[r].Transformed.Name)
		arns = append(arns, cells[r].Transformed.ARN)
	}

	logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s log group: %w", name, err)
	}
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		AssumeRolePolicy: pulumi.String(AssumeRolePolicy("lambda.amazonaws.com")),
		Description:      pulumi.String("imgcells purge: delete stale variants, invalidate the CDN, write logs"),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s role: %w", name, err)
	}
	policy := pulumi.All(primary.Source.ARN, arns.ToStringArrayOutput(), args.DistributionARN, q.Arn, logs.Arn).ApplyT(func(v []any) string {
		return PurgePolicy(PurgeAccess{
			SourceBucket: v[0].(string), TransformedBuckets: v[1].([]string), DistributionARN: v[2].(string),
			Queue: v[3].(string), LogGroup: v[4].(string),
		})
	}).(pulumi.StringOutput)
	rp, err := iam.NewRolePolicy(ctx, name+"-policy", &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, opts...)
	if err != nil {
		return nil, fmt.Errorf("granting %s: %w", name, err)
	}

	env := pulumi.All(primary.Source.Name, names.ToStringArrayOutput(), args.DistributionID, q.Url).ApplyT(func(v []any) map[string]string {
		buckets := map[string]string{}
		for i, b := range v[1].([]string) {
			buckets[regions[i]] = b
		}
		return contract.PurgeEnv{
			PrimarySourceBucket: v[0].(string), PrimaryRegion: args.PrimaryRegion, TransformedBuckets: buckets,
			DistributionID: v[2].(string), QueueURL: v[3].(string),
		}.Vars()
	}).(pulumi.StringMapOutput)
	fn, err := lambda.NewFunction(ctx, name, &lambda.FunctionArgs{
		Runtime:        pulumi.String("provided.al2023"),
		Handler:        pulumi.String("bootstrap"),
		Architectures:  pulumi.StringArray{pulumi.String("arm64")},
		Code:           pulumi.NewFileArchive(args.Code.Path),
		SourceCodeHash: pulumi.String(args.Code.Base64SHA256),
		Role:           role.Arn,
		MemorySize:     pulumi.Int(purgeMemoryMB),
		Timeout:        pulumi.Int(purgeTimeoutSeconds),
		Environment:    &lambda.FunctionEnvironmentArgs{Variables: env},
		LoggingConfig:  &lambda.FunctionLoggingConfigArgs{LogFormat: pulumi.String("Text"), LogGroup: logs.Name},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{rp}))...)
	if err != nil {
		return nil, fmt.Errorf("creating %s function: %w", name, err)
	}
	_, err = lambda.NewEventSourceMapping(ctx, name+"-events", &lambda.EventSourceMappingArgs{
		EventSourceArn:                 q.Arn,
		FunctionName:                   fn.Arn,
		BatchSize:                      pulumi.Int(purgeBatchSize),
		MaximumBatchingWindowInSeconds: pulumi.Int(purgeBatchWindow),
		FunctionResponseTypes:          pulumi.StringArray{pulumi.String("ReportBatchItemFailures")},
		ScalingConfig:                  &lambda.EventSourceMappingScalingConfigArgs{MaximumConcurrency: pulumi.Int(purgeMaxConcurrency)},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{rp}))...)
	if err != nil {
		return nil, fmt.Errorf("connecting %s to its queue: %w", name, err)
	}
	return &Purge{QueueURL: q.Url, LogGroup: logs.Name, Function: fn}, nil
}

// newPurgeQueue creates the queue the main source bucket's events go to, its
// dead-letter queue, the policy that lets the bucket (only) send, and the
// bucket's notification configuration.
func newPurgeQueue(ctx *pulumi.Context, name string, source CellBucket, opts ...pulumi.ResourceOption) (*sqs.Queue, error) {
	dlq, err := sqs.NewQueue(ctx, name+"-dead-letters", &sqs.QueueArgs{
		MessageRetentionSeconds: pulumi.Int(14 * 24 * 3600), // SQS's longest
		SqsManagedSseEnabled:    pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s dead-letter queue: %w", name, err)
	}
	redrive := dlq.Arn.ApplyT(func(arn string) (string, error) {
		b, err := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": purgeMaxReceives})
		return string(b), err
	}).(pulumi.StringOutput)
	q, err := sqs.NewQueue(ctx, name+"-queue", &sqs.QueueArgs{
		// Lambda's advice: six times the function's timeout, so a batch
		// retried after throttling is not delivered twice meanwhile.
		VisibilityTimeoutSeconds: pulumi.Int(6 * purgeTimeoutSeconds),
		MessageRetentionSeconds:  pulumi.Int(4 * 24 * 3600),
		SqsManagedSseEnabled:     pulumi.Bool(true),
		RedrivePolicy:            redrive,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s queue: %w", name, err)
	}
	policy := pulumi.All(q.Arn, source.ARN).ApplyT(func(v []any) string {
		return PurgeQueuePolicy(v[0].(string), v[1].(string))
	}).(pulumi.StringOutput)
	qp, err := sqs.NewQueuePolicy(ctx, name+"-queue-policy", &sqs.QueuePolicyArgs{QueueUrl: q.Url, Policy: policy}, opts...)
	if err != nil {
		return nil, fmt.Errorf("writing %s queue policy: %w", name, err)
	}
	// S3 checks the destination (it sends s3:TestEvent) when the
	// configuration is written: the policy must exist first. This resource
	// owns the bucket's whole notification configuration.
	_, err = s3.NewBucketNotification(ctx, name+"-notification", &s3.BucketNotificationArgs{
		Bucket: source.Name,
		Queues: s3.BucketNotificationQueueArray{&s3.BucketNotificationQueueArgs{
			Id:       pulumi.String("imgcells-purge"),
			QueueArn: q.Arn,
			Events:   pulumi.ToStringArray(S3EventsPurged),
		}},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{qp}))...)
	if err != nil {
		return nil, fmt.Errorf("sending %s events to %s: %w", name, name+"-queue", err)
	}
	return q, nil
}
