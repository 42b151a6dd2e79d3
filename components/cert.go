package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// acmCert is an ACM certificate for one hostname, requested with DNS validation in the
// provider's region and not yet known to be issued.
type acmCert struct {
	name string
	cert *acm.Certificate
	opts []pulumi.ResourceOption
}

// ValidationRecord is the CNAME ACM asks for before it issues (and, later, renews) a
// certificate. ACM derives it from the hostname and the account, so every region's
// certificate for one hostname asks for the same record.
type ValidationRecord struct {
	Name, Type, Value pulumi.StringOutput
}

// requestCert requests a certificate for host (no other names) in the provider's region.
func requestCert(ctx *pulumi.Context, name, host string, opts ...pulumi.ResourceOption) (*acmCert, error) {
	cert, err := acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName:       pulumi.String(host),
		ValidationMethod: pulumi.String("DNS"),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("requesting %s: %w", name, err)
	}
	return &acmCert{name: name, cert: cert, opts: opts}, nil
}

// record is the validation record this certificate asks for (it has one name).
func (c *acmCert) record() ValidationRecord {
	opt := c.cert.DomainValidationOptions.Index(pulumi.Int(0))
	return ValidationRecord{
		Name:  opt.ResourceRecordName().Elem(),
		Type:  opt.ResourceRecordType().Elem(),
		Value: opt.ResourceRecordValue().Elem(),
	}
}

// newValidationRecord writes a validation record into the hosted zone. It may overwrite a
// record someone else made for the same name (ACM's value is the only correct one).
func newValidationRecord(ctx *pulumi.Context, name, zoneID string, r ValidationRecord, opts ...pulumi.ResourceOption) (*route53.Record, error) {
	rec, err := route53.NewRecord(ctx, name, &route53.RecordArgs{
		ZoneId:         pulumi.String(zoneID),
		Name:           r.Name,
		Type:           r.Type,
		Records:        pulumi.StringArray{r.Value},
		Ttl:            pulumi.Int(300),
		AllowOverwrite: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("adding the validation record %s: %w", name, err)
	}
	return rec, nil
}

// validated waits until ACM has issued the certificate through the record at fqdn and
// returns the issued certificate's ARN.
func (c *acmCert) validated(ctx *pulumi.Context, fqdn pulumi.StringInput) (pulumi.StringOutput, error) {
	v, err := acm.NewCertificateValidation(ctx, c.name+"-validated", &acm.CertificateValidationArgs{
		CertificateArn:        c.cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{fqdn},
	}, c.opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("validating %s: %w", c.name, err)
	}
	return v.CertificateArn, nil
}

// validatedCert requests a certificate for host, writes its validation record and waits
// for it to be issued: for a hostname only one certificate asks for (the CDN's own, in
// us-east-1). convert.<domain> has one certificate per region and one record for all of
// them: see ConvertDNS.
func validatedCert(ctx *pulumi.Context, name, host, zoneID string, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	c, err := requestCert(ctx, name, host, opts...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	rec, err := newValidationRecord(ctx, name+"-validation", zoneID, c.record(), opts...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return c.validated(ctx, rec.Fqdn)
}
