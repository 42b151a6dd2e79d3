package components

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components/stackconfig"
	"imgcells/contract"
)

// ConverterSettings are the converter Lambda's sizing and limits.
type ConverterSettings struct {
	MemoryMB            int
	ReservedConcurrency int // 0: none
	MaxSourceBytes      int64
	MaxSourcePixels     int64
	MaxFrames           int
	LogRetentionDays    int
}

// converterEnv is the environment the bootstrap reads with contract.LoadConverterEnv
// (Lambda adds AWS_REGION itself).
type converterEnv struct {
	SourceBucket, PrimarySourceBucket, TransformedBucket pulumi.StringInput
	PrimaryRegion                                        string
	OriginVerifySecret                                   pulumi.StringInput
}

func (e converterEnv) variables(s ConverterSettings) pulumi.StringMap {
	return pulumi.StringMap{
		contract.EnvSourceBucket:        e.SourceBucket,
		contract.EnvPrimarySourceBucket: e.PrimarySourceBucket,
		contract.EnvPrimaryRegion:       pulumi.String(e.PrimaryRegion),
		contract.EnvTransformedBucket:   e.TransformedBucket,
		contract.EnvOriginVerifySecret:  pulumi.ToSecret(e.OriginVerifySecret).(pulumi.StringOutput),
		contract.EnvMaxSourceBytes:      pulumi.String(strconv.FormatInt(s.MaxSourceBytes, 10)),
		contract.EnvMaxSourcePixels:     pulumi.String(strconv.FormatInt(s.MaxSourcePixels, 10)),
		contract.EnvMaxFrames:           pulumi.String(strconv.Itoa(s.MaxFrames)),
		contract.EnvGlibcTunables:       pulumi.String(contract.ConverterGlibcTunables),
	}
}

// newConverter creates the converter Lambda (provided.al2023, arm64, `bootstrap` in the
// zip), its log group and its role, which may read the source buckets, read and write this
// region's transformed bucket, and write its own logs: nothing else.
func newConverter(ctx *pulumi.Context, component string, code Artifact, s ConverterSettings, env converterEnv,
	sourceARNs pulumi.StringArrayInput, transformedARN pulumi.StringInput, opts ...pulumi.ResourceOption) (*lambda.Function, pulumi.StringOutput, error) {
	name := child(component, "converter")
	none := pulumi.StringOutput{}
	// The log group is Pulumi's (auto-named <name>-logs-<suffix>, with the configured
	// retention), not Lambda's default /aws/lambda/<function>: LoggingConfig sends the
	// function's logs to it.
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(s.LogRetentionDays),
	}, opts...)
	if err != nil {
		return nil, none, fmt.Errorf("creating %s log group: %w", name, err)
	}
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		AssumeRolePolicy: pulumi.String(AssumeRolePolicy("lambda.amazonaws.com")),
		Description:      pulumi.String("imgcells converter: read originals, store variants, write logs"),
	}, opts...)
	if err != nil {
		return nil, none, fmt.Errorf("creating %s role: %w", name, err)
	}
	policy := pulumi.All(sourceARNs, transformedARN, logs.Arn).ApplyT(func(v []any) string {
		return ConverterPolicy(ConverterAccess{
			SourceBuckets: v[0].([]string), TransformedBucket: v[1].(string), LogGroup: v[2].(string),
		})
	}).(pulumi.StringOutput)
	rp, err := iam.NewRolePolicy(ctx, name+"-policy", &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, opts...)
	if err != nil {
		return nil, none, fmt.Errorf("granting %s: %w", name, err)
	}
	reserved := -1 // the account's unreserved pool
	if s.ReservedConcurrency > 0 {
		reserved = s.ReservedConcurrency
	}
	fn, err := lambda.NewFunction(ctx, name, &lambda.FunctionArgs{
		Runtime:                      pulumi.String("provided.al2023"),
		Handler:                      pulumi.String("bootstrap"),
		Architectures:                pulumi.StringArray{pulumi.String("arm64")},
		Code:                         pulumi.NewFileArchive(code.Path),
		SourceCodeHash:               pulumi.String(code.Base64SHA256),
		Role:                         role.Arn,
		MemorySize:                   pulumi.Int(s.MemoryMB),
		Timeout:                      pulumi.Int(int(contract.ConverterTimeout.Seconds())),
		ReservedConcurrentExecutions: pulumi.Int(reserved),
		Environment:                  &lambda.FunctionEnvironmentArgs{Variables: env.variables(s)},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("Text"),
			LogGroup:  logs.Name,
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{rp}))...)
	if err != nil {
		if s.ReservedConcurrency > 0 {
			err = fmt.Errorf("%w (%s)", err, ReservationNote(s.ReservedConcurrency))
		}
		return nil, none, fmt.Errorf("creating %s function: %w", name, err)
	}
	return fn, logs.Name, nil
}

// ReservationNote says what reserving n concurrent executions per region needs and how
// to check it. Lambda refuses a reservation that leaves fewer than 100 unreserved
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), and
// only AWS knows an account's quota, so a preview cannot check it.
func ReservationNote(n int) string {
	return fmt.Sprintf("imgcells:%s %d needs a Lambda concurrency quota of at least %d in every region "+
		"(Lambda keeps %d unreserved; new accounts can start as low as 10); check each region with `%s`, "+
		"or set imgcells:%s to 0",
		stackconfig.KeyConverterReservedConcurrency, n, stackconfig.QuotaNeeded(n), stackconfig.UnreservedConcurrencyFloor,
		stackconfig.ConcurrencyQuotaCommand, stackconfig.KeyConverterReservedConcurrency)
}
