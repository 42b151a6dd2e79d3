package components

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components/stackconfig"
)

const mockAccount = "123456789012"

// recorded is one resource the program registered under mocks.
type recorded struct {
	URN, Type, Name, Parent, Provider string
	Custom                            bool
	Inputs, Outputs                   resource.PropertyMap
	Deps                              []string // URNs it depends on, explicitly or through its inputs
}

// mocks answers resource registrations with plausible AWS outputs and records them.
type mocks struct {
	mu        sync.Mutex
	resources []*recorded
	regionOf  map[string]string // provider id → region
	// bucketNames gives a bucket (by logical name) another physical name than
	// "<name>-bkt", as a replacement's new autoname would.
	bucketNames map[string]string
}

func newMocks() *mocks {
	return &mocks{regionOf: map[string]string{}, bucketNames: map[string]string{}}
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := args.Name + "-id"
	out := args.Inputs.Copy()
	set := func(k, v string) { out[resource.PropertyKey(k)] = resource.NewProperty(v) }
	region := ""
	if parts := strings.Split(args.Provider, "::"); len(parts) > 0 {
		region = m.regionOf[parts[len(parts)-1]]
	}
	str := func(k string) string {
		v := args.Inputs[resource.PropertyKey(k)]
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	switch args.TypeToken {
	case "pulumi:providers:aws", "pulumi:providers:aws-native":
		m.regionOf[id] = str("region")
	case "aws:s3/bucketV2:BucketV2":
		id = args.Name + "-bkt"
		if n, ok := m.bucketNames[args.Name]; ok {
			id = n
		}
		set("bucket", id)
		set("arn", "arn:aws:s3:::"+id)
	case "aws:iam/role:Role":
		set("arn", "arn:aws:iam::"+mockAccount+":role/"+args.Name)
	case "aws:cloudwatch/logGroup:LogGroup":
		set("name", "/imgcells/"+args.Name)
		set("arn", fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/imgcells/%s", region, mockAccount, args.Name))
	case "aws:lambda/function:Function":
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, mockAccount, args.Name)
		set("name", args.Name)
		set("arn", arn)
		set("invokeArn", fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", region, arn))
	case "aws:apigatewayv2/api:Api":
		set("apiEndpoint", fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", id, region))
		set("executionArn", fmt.Sprintf("arn:aws:execute-api:%s:%s:%s", region, mockAccount, id))
	case "aws:apigatewayv2/domainName:DomainName":
		cfg := args.Inputs["domainNameConfiguration"].ObjectValue().Copy()
		cfg["targetDomainName"] = resource.NewProperty("d-" + id + ".execute-api." + region + ".amazonaws.com")
		cfg["hostedZoneId"] = resource.NewProperty("ZAPI" + strings.ToUpper(strings.ReplaceAll(region, "-", "")))
		out["domainNameConfiguration"] = resource.NewProperty(cfg)
	case "aws:acm/certificate:Certificate":
		set("arn", fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", region, mockAccount, id))
		out["domainValidationOptions"] = resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"domainName":          resource.NewProperty(str("domainName")),
			"resourceRecordName":  resource.NewProperty("_x1." + str("domainName") + "."),
			"resourceRecordType":  resource.NewProperty("CNAME"),
			"resourceRecordValue": resource.NewProperty("_y1.acm-validations.aws."),
		})})
	case "aws:route53/record:Record":
		set("fqdn", str("name"))
	case "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint":
		name := args.Inputs["details"].ObjectValue()["name"].StringValue()
		sum := sha256.Sum256([]byte(name))
		alias := hex.EncodeToString(sum[:])[:13] + ".mrap"
		set("alias", alias)
		set("accountId", mockAccount)
		set("arn", "arn:aws:s3::"+mockAccount+":accesspoint/"+alias)
		set("domainName", alias+".accesspoint.s3-global.amazonaws.com")
	case "aws:cloudfront/distribution:Distribution":
		set("arn", "arn:aws:cloudfront::"+mockAccount+":distribution/"+id)
		set("domainName", "d111111abcdef8.cloudfront.net")
		set("hostedZoneId", "Z2FDTNDATAQYW2")
	case "aws:cloudfront/function:Function", "aws:cloudfront/keyValueStore:KeyValueStore":
		set("arn", "arn:aws:cloudfront::"+mockAccount+":function/"+id)
	case "aws:sns/topic:Topic":
		set("arn", fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, mockAccount, id))
	case "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "aws:cloudwatch/logDeliverySource:LogDeliverySource":
		set("arn", fmt.Sprintf("arn:aws:logs:%s:%s:delivery-destination:%s", region, mockAccount, str("name")))
	case "aws:sqs/queue:Queue":
		set("arn", fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, mockAccount, args.Name))
		set("url", fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, mockAccount, args.Name))
		id = fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, mockAccount, args.Name)
	case "aws-native:cloudfront:OriginAccessControl":
		set("awsId", "E2OAC"+id)
	case "aws:wafv2/webAcl:WebAcl":
		set("arn", fmt.Sprintf("arn:aws:wafv2:%s:%s:global/webacl/%s/%s", region, mockAccount, args.Name, id))
	}
	parent := ""
	var deps []string
	if args.RegisterRPC != nil {
		parent = args.RegisterRPC.GetParent()
		deps = args.RegisterRPC.GetDependencies()
	}
	m.resources = append(m.resources, &recorded{
		URN:  fmt.Sprintf("urn:pulumi:test::imgcells::%s::%s", args.TypeToken, args.Name),
		Type: args.TypeToken, Name: args.Name, Parent: parent, Provider: args.Provider,
		Custom: args.Custom, Inputs: args.Inputs, Outputs: out, Deps: deps,
	})
	return id, out, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, fmt.Errorf("unexpected invoke %s", args.Token)
}

// deployment is the outcome of one mocked `pulumi preview`.
type deployment struct {
	stack     string
	cfg       stackconfig.Config
	resources []*recorded
	outputs   map[string]any // the stack outputs, resolved
}

// testZip writes a small zip standing in for the converter build, so mock runs never
// cross-compile.
func testZip(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "converter.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.Create("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("#!/bin/sh\necho test bootstrap\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// withConfig sets the stack's config the way the engine does.
func withConfig(raw stackconfig.Raw) pulumi.RunOption {
	return func(info *pulumi.RunInfo) {
		info.Config = map[string]string{}
		for k, v := range raw {
			info.Config[stackconfig.Namespace+":"+k] = v
		}
		info.ConfigSecretKeys = []string{stackconfig.Namespace + ":" + stackconfig.KeyOriginVerifySecret}
	}
}

// preview runs the whole program (LoadConfig then Deploy) under mocks.
func preview(t testing.TB, stack string, raw stackconfig.Raw) (*deployment, error) {
	t.Helper()
	return previewWith(t, stack, raw, newMocks())
}

// previewWith is preview with prepared mocks.
func previewWith(t testing.TB, stack string, raw stackconfig.Raw, m *mocks) (*deployment, error) {
	t.Helper()
	raw = with(raw)
	if _, ok := raw[stackconfig.KeyConverterZip]; !ok { // "" (set, empty) builds from source
		raw[stackconfig.KeyConverterZip] = testZip(t)
	}
	d := &deployment{stack: stack}
	var mu sync.Mutex
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		cfg, err := LoadConfig(ctx)
		if err != nil {
			return err
		}
		d.cfg = cfg
		// Deploy's two halves, so the outputs it exports can be read back.
		outputs, err := deploy(ctx, cfg)
		if err != nil {
			return err
		}
		exportAll(ctx, outputs)
		outputs.ToMapOutput().ApplyT(func(v map[string]any) map[string]any {
			mu.Lock()
			defer mu.Unlock()
			d.outputs = v
			return v
		})
		return nil
	}, pulumi.WithMocks("imgcells", stack, m), withConfig(raw))
	d.resources = m.resources
	mu.Lock()
	defer mu.Unlock()
	return d, err
}

func mustPreview(t testing.TB, stack string, raw stackconfig.Raw) *deployment {
	t.Helper()
	d, err := preview(t, stack, raw)
	if err != nil {
		t.Fatalf("preview %s: %v", stack, err)
	}
	return d
}
