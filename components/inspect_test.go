package components

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Type tokens the invariants look at.
const (
	tBucket       = "aws:s3/bucketV2:BucketV2"
	tBlock        = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tEncryption   = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	tVersioning   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tBucketPolicy = "aws:s3/bucketPolicy:BucketPolicy"
	tLifecycle    = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	tReplication  = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	tRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	tFunction     = "aws:lambda/function:Function"
	tRoute        = "aws:apigatewayv2/route:Route"
	tIntegration  = "aws:apigatewayv2/integration:Integration"
	tDistribution = "aws:cloudfront/distribution:Distribution"
	tCachePolicy  = "aws:cloudfront/cachePolicy:CachePolicy"
	tRHP          = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
	tOAC          = "aws-native:cloudfront:OriginAccessControl"
	tMRAP         = "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint"
	tMRAPPolicy   = "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy"
	tRecord       = "aws:route53/record:Record"
	tKVS          = "aws:cloudfront/keyValueStore:KeyValueStore"
	tCFFunction   = "aws:cloudfront/function:Function"
	tAPI          = "aws:apigatewayv2/api:Api"
	tStage        = "aws:apigatewayv2/stage:Stage"
	tMapping      = "aws:apigatewayv2/apiMapping:ApiMapping"
	tCert         = "aws:acm/certificate:Certificate"
	tCertValid    = "aws:acm/certificateValidation:CertificateValidation"
	tWebACL       = "aws:wafv2/webAcl:WebAcl"
	tLogGroup     = "aws:cloudwatch/logGroup:LogGroup"
)

func (d *deployment) ofType(typ string) []*recorded {
	var out []*recorded
	for _, r := range d.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (d *deployment) named(typ, name string) *recorded {
	for _, r := range d.resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// parent finds the resource a URN names: the URN ends in "<qualified type>::<name>".
func (d *deployment) parent(r *recorded) *recorded {
	if r.Parent == "" {
		return nil
	}
	i := strings.LastIndex(r.Parent, "::")
	name, qualified := r.Parent[i+2:], r.Parent[:i]
	typ := qualified[strings.LastIndex(qualified, "::")+2:]
	typ = typ[strings.LastIndex(typ, "$")+1:]
	return d.named(typ, name)
}

// component is the nearest ancestor that is one of ours, or nil.
func (d *deployment) component(r *recorded) *recorded {
	for p := d.parent(r); p != nil; p = d.parent(p) {
		if p.Type == CellType || p.Type == FrontType || p.Type == DNSType {
			return p
		}
	}
	return nil
}

// dependsOn says whether r depends on the resource of type typ named name.
func dependsOn(r *recorded, typ, name string) bool {
	for _, urn := range r.Deps {
		if strings.HasSuffix(urn, typ+"::"+name) {
			return true
		}
	}
	return false
}

// providerName is the logical name of the provider a resource uses.
func providerName(r *recorded) string {
	parts := strings.Split(r.Provider, "::")
	if len(parts) < 2 {
		return ""
	}
	return parts[len(parts)-2]
}

// plain strips secrets so values can be compared.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// get walks a path of object keys and array indexes ("origins", 0, "domainName").
func get(m resource.PropertyMap, path ...any) resource.PropertyValue {
	v := resource.NewProperty(m)
	for _, p := range path {
		v = plain(v)
		switch k := p.(type) {
		case string:
			if !v.IsObject() {
				return resource.NewNullProperty()
			}
			v = v.ObjectValue()[resource.PropertyKey(k)]
		case int:
			if !v.IsArray() || k >= len(v.ArrayValue()) {
				return resource.NewNullProperty()
			}
			v = v.ArrayValue()[k]
		}
	}
	return plain(v)
}

func str(m resource.PropertyMap, path ...any) string {
	v := get(m, path...)
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func num(m resource.PropertyMap, path ...any) int {
	v := get(m, path...)
	if v.IsNumber() {
		return int(v.NumberValue())
	}
	return -1
}

func boolean(m resource.PropertyMap, path ...any) bool {
	v := get(m, path...)
	return v.IsBool() && v.BoolValue()
}

func strs(m resource.PropertyMap, path ...any) []string {
	var out []string
	v := get(m, path...)
	if !v.IsArray() {
		return nil
	}
	for _, e := range v.ArrayValue() {
		if e = plain(e); e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

func ints(m resource.PropertyMap, path ...any) []int {
	var out []int
	v := get(m, path...)
	if !v.IsArray() {
		return nil
	}
	for _, e := range v.ArrayValue() {
		out = append(out, int(plain(e).NumberValue()))
	}
	return out
}

// policyDoc decodes the JSON policy document in r's "policy" input.
func policyDoc(t *testing.T, r *recorded) PolicyDocument {
	t.Helper()
	var d PolicyDocument
	if err := json.Unmarshal([]byte(str(r.Inputs, "policy")), &d); err != nil {
		t.Fatalf("%s %s: policy is not JSON: %v", r.Type, r.Name, err)
	}
	return d
}
