package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// replicaTarget is a bucket in another region that receives copies.
type replicaTarget struct {
	Region string
	Bucket *privateBucket
}

// replicate copies every new object in source to each target, with an IAM role that may
// read source and write only the targets. rtc turns on S3 Replication Time Control
// (15-minute SLA, with the metrics it requires).
func replicate(ctx *pulumi.Context, component, role string, source *privateBucket, targets []replicaTarget, rtc bool, opts ...pulumi.ResourceOption) error {
	name := child(component, role+"-replication")
	r, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		AssumeRolePolicy: pulumi.String(AssumeRolePolicy("s3.amazonaws.com")),
		Description:      pulumi.Sprintf("S3 replication of %s", child(component, role)),
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating %s role: %w", name, err)
	}
	arns := pulumi.StringArray{source.Bucket.Arn}
	deps := []pulumi.Resource{source.Versioning}
	for _, t := range targets {
		arns = append(arns, t.Bucket.Bucket.Arn)
		deps = append(deps, t.Bucket.Versioning)
	}
	policy := arns.ToStringArrayOutput().ApplyT(func(a []string) string {
		return ReplicationPolicy(a[0], a[1:])
	}).(pulumi.StringOutput)
	rp, err := iam.NewRolePolicy(ctx, name+"-policy", &iam.RolePolicyArgs{Role: r.ID(), Policy: policy}, opts...)
	if err != nil {
		return fmt.Errorf("granting %s: %w", name, err)
	}
	// Deletes of originals replicate, so a removed photo leaves every
	// replica; variants' do not: each region's copy is deleted by the purge.
	deleteMarkers := "Disabled"
	if role == "source" {
		deleteMarkers = "Enabled"
	}
	rules := s3.BucketReplicationConfigRuleArray{}
	for i, t := range targets {
		dest := &s3.BucketReplicationConfigRuleDestinationArgs{Bucket: t.Bucket.Bucket.Arn}
		if rtc {
			dest.ReplicationTime = &s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs{
				Status: pulumi.String("Enabled"),
				Time:   &s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs{Minutes: pulumi.Int(15)},
			}
			dest.Metrics = &s3.BucketReplicationConfigRuleDestinationMetricsArgs{
				Status:         pulumi.String("Enabled"),
				EventThreshold: &s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs{Minutes: pulumi.Int(15)},
			}
		}
		rules = append(rules, &s3.BucketReplicationConfigRuleArgs{
			Id:                      pulumi.String("to-" + t.Region),
			Priority:                pulumi.Int(i + 1),
			Status:                  pulumi.String("Enabled"),
			Filter:                  &s3.BucketReplicationConfigRuleFilterArgs{Prefix: pulumi.String("")},
			DeleteMarkerReplication: &s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs{Status: pulumi.String(deleteMarkers)},
			Destination:             dest,
		})
	}
	_, err = s3.NewBucketReplicationConfig(ctx, name, &s3.BucketReplicationConfigArgs{
		Bucket: source.Bucket.ID(),
		Role:   r.Arn,
		Rules:  rules,
	}, append(opts, pulumi.DependsOn(append(deps, rp)))...)
	if err != nil {
		return fmt.Errorf("configuring %s: %w", name, err)
	}
	return nil
}
