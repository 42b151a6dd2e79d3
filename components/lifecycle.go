package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// abortUploadsDays is when an unfinished multipart upload of an original is
// abandoned: its parts are billed as storage until then.
const abortUploadsDays = 7

// expireOldOriginals bounds what a versioned source bucket keeps: an
// overwritten or deleted original stays as a noncurrent version for days (a
// mistaken overwrite or delete can be undone until then), then goes; the
// delete marker left alone after that goes too; unfinished multipart uploads
// are aborted. Current originals never expire.
func expireOldOriginals(ctx *pulumi.Context, component string, pb *privateBucket, days int, opts ...pulumi.ResourceOption) error {
	name := child(component, "source-lifecycle")
	_, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: pb.Bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-old-originals"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(days),
			},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{
				ExpiredObjectDeleteMarker: pulumi.Bool(true),
			},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(abortUploadsDays),
			},
		}},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{pb.Versioning}))...)
	if err != nil {
		return fmt.Errorf("setting the lifecycle of %s: %w", child(component, "source"), err)
	}
	return nil
}
