package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ConverterRoutes are the only routes of the regional HTTP API: reads of any path.
var ConverterRoutes = []string{"GET /{proxy+}", "HEAD /{proxy+}"}

// regionalAPI is a cell's HTTP API in front of its converter.
type regionalAPI struct {
	API      *apigatewayv2.Api
	Stage    *apigatewayv2.Stage
	Endpoint pulumi.StringOutput // https://<id>.execute-api.<region>.amazonaws.com
	Host     pulumi.StringOutput // the endpoint's host, a CloudFront origin domain
	// With a custom domain: the regional certificate for convert.<domain> (validated
	// by ServeDomain) and the regional target a latency record aliases.
	cert         *acmCert
	DomainTarget pulumi.StringOutput
	DomainZoneID pulumi.StringOutput
	AccessLogs   *cloudwatch.LogGroup // the stage's access log (accesslogs.go)
}

// apiSpec says how a cell's API is exposed.
type apiSpec struct {
	// OnlyCustomDomain turns off the default execute-api endpoint, so the converter
	// answers only at convert.<domain> (every stage; with auto-deploy no redeploy is
	// needed: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-disable-default-endpoint.html).
	// Without a domain CloudFront reaches the converter through that endpoint, so it
	// stays on.
	OnlyCustomDomain bool
	// ThrottleRate and ThrottleBurst bound the $default stage's routes: past them API
	// Gateway answers 429 without invoking the converter.
	ThrottleRate, ThrottleBurst int
	// LogRetentionDays is how long the stage's access log is kept.
	LogRetentionDays int
}

// newAPI creates the HTTP API with a Lambda proxy integration (payload format 2.0), the
// GET and HEAD routes, the auto-deployed, throttled $default stage with its access log
// and the permission that lets this API, and only it, invoke the function.
func newAPI(ctx *pulumi.Context, component string, fn *lambda.Function, spec apiSpec, opts ...pulumi.ResourceOption) (*regionalAPI, error) {
	name := child(component, "api")
	api, err := apigatewayv2.NewApi(ctx, name, &apigatewayv2.ApiArgs{
		ProtocolType:              pulumi.String("HTTP"),
		Description:               pulumi.String("imgcells converter: variant keys in, images out"),
		DisableExecuteApiEndpoint: pulumi.Bool(spec.OnlyCustomDomain),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	integ, err := apigatewayv2.NewIntegration(ctx, name+"-integration", &apigatewayv2.IntegrationArgs{
		ApiId:                api.ID(),
		IntegrationType:      pulumi.String("AWS_PROXY"),
		IntegrationUri:       fn.InvokeArn,
		IntegrationMethod:    pulumi.String("POST"),
		PayloadFormatVersion: pulumi.String("2.0"),
		TimeoutMilliseconds:  pulumi.Int(29000),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("integrating %s with the converter: %w", name, err)
	}
	routes := []pulumi.Resource{}
	for _, key := range ConverterRoutes {
		method := key[:len(key)-len(" /{proxy+}")]
		r, err := apigatewayv2.NewRoute(ctx, name+"-route-"+strings.ToLower(method), &apigatewayv2.RouteArgs{
			ApiId:    api.ID(),
			RouteKey: pulumi.String(key),
			Target:   pulumi.Sprintf("integrations/%s", integ.ID()),
		}, opts...)
		if err != nil {
			return nil, fmt.Errorf("adding route %s to %s: %w", key, name, err)
		}
		routes = append(routes, r)
	}
	accessLogs, err := newLogGroup(ctx, name+"-access-logs", spec.LogRetentionDays, opts...)
	if err != nil {
		return nil, err
	}
	stage, err := apigatewayv2.NewStage(ctx, name+"-stage", &apigatewayv2.StageArgs{
		ApiId:             api.ID(),
		Name:              pulumi.String("$default"),
		AutoDeploy:        pulumi.Bool(true),
		AccessLogSettings: apiAccessLogs(accessLogs),
		DefaultRouteSettings: &apigatewayv2.StageDefaultRouteSettingsArgs{
			ThrottlingRateLimit:  pulumi.Float64(float64(spec.ThrottleRate)),
			ThrottlingBurstLimit: pulumi.Int(spec.ThrottleBurst),
		},
	}, append(opts, pulumi.DependsOn(routes))...)
	if err != nil {
		return nil, fmt.Errorf("creating %s stage: %w", name, err)
	}
	if _, err := lambda.NewPermission(ctx, name+"-invoke", &lambda.PermissionArgs{
		Action:    pulumi.String("lambda:InvokeFunction"),
		Function:  fn.Name,
		Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: pulumi.Sprintf("%s/*/*", api.ExecutionArn),
	}, opts...); err != nil {
		return nil, fmt.Errorf("letting %s invoke the converter: %w", name, err)
	}
	host := api.ApiEndpoint.ApplyT(trimScheme).(pulumi.StringOutput)
	return &regionalAPI{API: api, Stage: stage, Endpoint: api.ApiEndpoint, Host: host, AccessLogs: accessLogs}, nil
}

func trimScheme(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return strings.TrimRight(u, "/")
}
