package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DNSType is the type token of the ConvertDNS component.
const DNSType = "imgcells:index:ConvertDNS"

// DNSComponentName is the component name of the stack's single ConvertDNS.
const DNSComponentName = "convert-dns"

// ConvertDNSArgs configure the ConvertDNS.
type ConvertDNSArgs struct {
	Domain, HostedZoneID string
	// Record is the validation record one regional certificate for convert.<Domain>
	// asks for; every region's asks for the same one.
	Record ValidationRecord
}

// ConvertDNS owns what convert.<domain> has once per stack rather than once per
// region: the ACM validation record. ACM derives it from the hostname and the account,
// so every region's certificate asks for the same CNAME, and ACM looks for it again at
// every renewal. One owner means removing a region cannot delete the record the other
// regions' certificates still renew with (a per-cell copy would be deleted with its
// cell). Its resources use the front's provider (Route 53 is global).
type ConvertDNS struct {
	pulumi.ResourceState

	// ValidationFQDN is the record's name, which each regional certificate's
	// validation waits on.
	ValidationFQDN pulumi.StringOutput
}

// NewConvertDNS creates the shared validation record for convert.<Domain>.
func NewConvertDNS(ctx *pulumi.Context, name string, args ConvertDNSArgs, opts ...pulumi.ResourceOption) (*ConvertDNS, error) {
	if args.Domain == "" || args.HostedZoneID == "" {
		return nil, fmt.Errorf("convert domain %s: a domain and its hosted zone are required", name)
	}
	d := &ConvertDNS{}
	if err := ctx.RegisterComponentResource(DNSType, name, d, opts...); err != nil {
		return nil, fmt.Errorf("registering convert domain %s: %w", name, err)
	}
	rec, err := newValidationRecord(ctx, child(name, "validation"), args.HostedZoneID, args.Record, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	d.ValidationFQDN = rec.Fqdn
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"host":           pulumi.String(ConvertDomain(args.Domain)),
		"validationFqdn": rec.Fqdn,
	}); err != nil {
		return nil, fmt.Errorf("registering outputs of convert domain %s: %w", name, err)
	}
	return d, nil
}
