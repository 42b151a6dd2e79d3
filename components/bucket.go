package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// privateBucket is a bucket with the settings every imgcells bucket shares.
type privateBucket struct {
	Bucket     *s3.BucketV2
	Versioning *s3.BucketVersioningV2
	Block      *s3.BucketPublicAccessBlock
}

// bucketSpec says what differs between the source and transformed buckets.
type bucketSpec struct {
	Role         string // "source" or "transformed": the child-name suffix
	ForceDestroy bool   // transformed objects can be re-created; originals cannot
	ExpiryDays   int    // 0: objects never expire
}

// newPrivateBucket creates a bucket that is private (every public access block on),
// encrypted at rest (SSE-S3 with bucket keys) and versioned (replication needs it on both
// ends). Its TLS-only policy is written separately, because the transformed bucket's
// policy also names the distribution.
func newPrivateBucket(ctx *pulumi.Context, component string, spec bucketSpec, opts ...pulumi.ResourceOption) (*privateBucket, error) {
	name := child(component, spec.Role)
	b, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{ForceDestroy: pulumi.Bool(spec.ForceDestroy)}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s bucket: %w", name, err)
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket:                b.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("blocking public access to %s: %w", name, err)
	}
	_, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("encrypting %s: %w", name, err)
	}
	ver, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  b.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("versioning %s: %w", name, err)
	}
	if spec.ExpiryDays > 0 {
		if err := expire(ctx, name, b, ver, spec.ExpiryDays, opts...); err != nil {
			return nil, err
		}
	}
	return &privateBucket{Bucket: b, Versioning: ver, Block: block}, nil
}

// expire deletes current objects after days and the versions they leave behind a day
// later, so a versioned cache bucket does not grow without bound.
func expire(ctx *pulumi.Context, name string, b *s3.BucketV2, ver *s3.BucketVersioningV2, days int, opts ...pulumi.ResourceOption) error {
	_, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-expiry", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String("expire-variants"),
			Status:     pulumi.String("Enabled"),
			Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(days)},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(1),
			},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(1),
			},
		}},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{ver}))...)
	if err != nil {
		return fmt.Errorf("setting expiry on %s: %w", name, err)
	}
	return nil
}

// setPolicy writes the bucket's whole policy, after its public access block.
func setPolicy(ctx *pulumi.Context, name string, pb *privateBucket, policy pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	_, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: pb.Bucket.ID(),
		Policy: policy,
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{pb.Block}))...)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}
