package components

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// requestDomainCert requests this region's certificate for convert.<domain>. It is
// issued once the shared validation record exists (ConvertDNS), which needs a
// certificate's request first: serveDomain finishes the domain afterwards.
func (a *regionalAPI) requestDomainCert(ctx *pulumi.Context, component, domain string, opts ...pulumi.ResourceOption) error {
	c, err := requestCert(ctx, child(component, "api-domain-cert"), ConvertDomain(domain), opts...)
	if err != nil {
		return err
	}
	a.cert = c
	return nil
}

// serveDomain serves the API as convert.<domain> in this region: it waits for the
// regional certificate to be issued through the shared validation record at
// validationFQDN, then creates the regional custom domain and maps it to the $default
// stage (after the stage exists: a mapping to a missing stage fails).
func (a *regionalAPI) serveDomain(ctx *pulumi.Context, component, domain string, validationFQDN pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	if a.cert == nil {
		return errors.New("serving " + ConvertDomain(domain) + " in " + component + ": no certificate was requested")
	}
	name := child(component, "api-domain")
	certARN, err := a.cert.validated(ctx, validationFQDN)
	if err != nil {
		return err
	}
	dn, err := apigatewayv2.NewDomainName(ctx, name, &apigatewayv2.DomainNameArgs{
		DomainName: pulumi.String(ConvertDomain(domain)),
		DomainNameConfiguration: &apigatewayv2.DomainNameDomainNameConfigurationArgs{
			CertificateArn: certARN,
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
		Stage:      a.Stage.Name,
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{a.Stage}))...); err != nil {
		return fmt.Errorf("mapping %s: %w", name, err)
	}
	a.DomainTarget = dn.DomainNameConfiguration.TargetDomainName().Elem()
	a.DomainZoneID = dn.DomainNameConfiguration.HostedZoneId().Elem()
	return nil
}
