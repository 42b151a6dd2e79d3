package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ConverterRoutes are the only routes of the regional HTTP API: reads of any path.
var ConverterRoutes = []string{"GET /{proxy+}", "HEAD /{proxy+}"}

// regionalAPI is a cell's HTTP API in front of its converter.
type regionalAPI struct {
	API      *apigatewayv2.Api
	Endpoint pulumi.StringOutput // https://<id>.execute-api.<region>.amazonaws.com
	Host     pulumi.StringOutput // the endpoint's host, a CloudFront origin domain
	// With a custom domain: the regional target a latency record aliases.
	DomainTarget pulumi.StringOutput
	DomainZoneID pulumi.StringOutput
}

// newAPI creates the HTTP API with a Lambda proxy integration (payload format 2.0), the
// GET and HEAD routes, the auto-deployed $default stage and the permission that lets this
// API, and only it, invoke the function.
func newAPI(ctx *pulumi.Context, component string, fn *lambda.Function, opts ...pulumi.ResourceOption) (*regionalAPI, error) {
	name := child(component, "api")
	api, err := apigatewayv2.NewApi(ctx, name, &apigatewayv2.ApiArgs{
		ProtocolType: pulumi.String("HTTP"),
		Description:  pulumi.String("imgcells converter: variant keys in, images out"),
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
	if _, err := apigatewayv2.NewStage(ctx, name+"-stage", &apigatewayv2.StageArgs{
		ApiId:      api.ID(),
		Name:       pulumi.String("$default"),
		AutoDeploy: pulumi.Bool(true),
	}, append(opts, pulumi.DependsOn(routes))...); err != nil {
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
	return &regionalAPI{API: api, Endpoint: api.ApiEndpoint, Host: host}, nil
}

// addDomain serves the API as convert.<domain> in this region: an ACM certificate in
// the region, validated by DNS in the hosted zone, a regional custom domain and its
// mapping. Every cell validates the same name; the records are identical, so each may
// overwrite the other's.
func (a *regionalAPI) addDomain(ctx *pulumi.Context, component, domain, zoneID string, opts ...pulumi.ResourceOption) error {
	name := child(component, "api-domain")
	host := ConvertDomain(domain)
	cert, err := validatedCert(ctx, name+"-cert", host, zoneID, opts...)
	if err != nil {
		return err
	}
	dn, err := apigatewayv2.NewDomainName(ctx, name, &apigatewayv2.DomainNameArgs{
		DomainName: pulumi.String(host),
		DomainNameConfiguration: &apigatewayv2.DomainNameDomainNameConfigurationArgs{
			CertificateArn: cert,
			EndpointType:   pulumi.String("REGIONAL"),
			SecurityPolicy: pulumi.String("TLS_1_2"),
		},
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating %s: %w", name, err)
	}
	if _, err := apigatewayv2.NewApiMapping(ctx, name+"-mapping", &apigatewayv2.ApiMappingArgs{
		ApiId:      a.API.ID(),
		DomainName: dn.DomainName,
		Stage:      pulumi.String("$default"),
	}, opts...); err != nil {
		return fmt.Errorf("mapping %s: %w", name, err)
	}
	a.DomainTarget = dn.DomainNameConfiguration.TargetDomainName().Elem()
	a.DomainZoneID = dn.DomainNameConfiguration.HostedZoneId().Elem()
	return nil
}

// validatedCert requests an ACM certificate for host in the provider's region and waits
// for its DNS validation; it returns the validated certificate's ARN.
func validatedCert(ctx *pulumi.Context, name, host, zoneID string, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	cert, err := acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName:       pulumi.String(host),
		ValidationMethod: pulumi.String("DNS"),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("requesting %s: %w", name, err)
	}
	opt := cert.DomainValidationOptions.Index(pulumi.Int(0))
	rec, err := route53.NewRecord(ctx, name+"-validation", &route53.RecordArgs{
		ZoneId:         pulumi.String(zoneID),
		Name:           opt.ResourceRecordName().Elem(),
		Type:           opt.ResourceRecordType().Elem(),
		Records:        pulumi.StringArray{opt.ResourceRecordValue().Elem()},
		Ttl:            pulumi.Int(300),
		AllowOverwrite: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("adding the validation record of %s: %w", name, err)
	}
	v, err := acm.NewCertificateValidation(ctx, name+"-validated", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{rec.Fqdn},
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("validating %s: %w", name, err)
	}
	return v.CertificateArn, nil
}

func trimScheme(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return strings.TrimRight(u, "/")
}
