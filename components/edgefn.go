package components

import (
	"fmt"

	native "github.com/pulumi/pulumi-aws-native/sdk/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EdgeRuntime is the CloudFront Functions runtime rewrite.js is written for.
const EdgeRuntime = "cloudfront-js-2.0"

// newEdgeFunction publishes the rendered viewer-request function. With signing on, it
// gets a KeyValueStore, where the URL-signing key is put (key "sign.key") outside Pulumi
// so it never enters the state.
func newEdgeFunction(ctx *pulumi.Context, front string, args FrontArgs, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	name := child(front, "rewrite")
	fa := &cloudfront.FunctionArgs{
		Runtime: pulumi.String(EdgeRuntime),
		Code:    pulumi.String(args.EdgeCode),
		Comment: pulumi.String("imgcells: picks the format, snaps the size, rewrites to the variant key"),
		Publish: pulumi.Bool(true),
	}
	if args.Signing {
		kvs, err := cloudfront.NewKeyValueStore(ctx, child(front, "signing-keys"), &cloudfront.KeyValueStoreArgs{
			Comment: pulumi.String("imgcells URL-signing keys: sign.key, sign.key.previous"),
		}, opts...)
		if err != nil {
			return pulumi.StringOutput{}, fmt.Errorf("creating %s key value store: %w", front, err)
		}
		fa.KeyValueStoreAssociations = pulumi.StringArray{kvs.Arn}
	}
	fn, err := cloudfront.NewFunction(ctx, name, fa, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("creating %s function: %w", name, err)
	}
	return fn.Arn, nil
}

// oacNameMax is CloudFront's limit on an origin access control's name
// (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html).
const oacNameMax = 64

// OACName names the stack's origin access control: "<prefix>-mrap", cut to 64
// characters with a hash of the whole when a long stack name makes it longer.
func OACName(prefix string) string { return boundedName(prefix+"-mrap", oacNameMax) }

// newMRAPAccessControl is the origin access control CloudFront signs MRAP requests with.
// An MRAP needs SigV4A (one signature valid in every region); pulumi-aws only knows
// "sigv4", so this one resource comes from aws-native. It returns the OAC's id.
func newMRAPAccessControl(ctx *pulumi.Context, front, prefix string, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	name := child(front, "oac")
	oac, err := native.NewOriginAccessControl(ctx, name, &native.OriginAccessControlArgs{
		OriginAccessControlConfig: &native.OriginAccessControlConfigArgs{
			Name:                          pulumi.String(OACName(prefix)),
			Description:                   pulumi.String("imgcells: CloudFront to the transformed-variant MRAP"),
			OriginAccessControlOriginType: pulumi.String("s3"),
			SigningBehavior:               pulumi.String("always"),
			SigningProtocol:               pulumi.String("sigv4a"),
		},
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("creating %s origin access control: %w", name, err)
	}
	return oac.AwsId, nil
}
