package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/purge"
)

// targets are the stack's buckets and CDN as the purge reaches them.
type targets struct {
	source      purge.S3Source
	buckets     []purge.Bucket
	invalidator purge.Invalidator
}

// connect builds clients from the outputs: AWS (the default credential
// chain, one S3 client per region) or the local stack (its S3 server and
// invalidation endpoint).
func connect(ctx context.Context, out purge.StackOutputs) (targets, error) {
	primary, err := out.PrimaryRegion()
	if err != nil {
		return targets{}, err
	}
	var cfg aws.Config
	var client func(region string) *s3.Client
	var t targets
	if l := out.Local; l != nil {
		cfg = aws.Config{Region: l.S3Region, Credentials: credentials.NewStaticCredentialsProvider(l.AccessKeyID, l.SecretAccessKey, "")}
		// One server holds every simulated region and checks one region's
		// signatures.
		c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(l.S3Endpoint); o.UsePathStyle = true })
		client = func(string) *s3.Client { return c }
		t.invalidator = purge.HTTPInvalidator{URL: l.InvalidationURL}
	} else {
		if cfg, err = awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(primary)); err != nil {
			return targets{}, fmt.Errorf("loading AWS configuration: %w", err)
		}
		client = func(region string) *s3.Client {
			return s3.NewFromConfig(cfg, func(o *s3.Options) { o.Region = region })
		}
		t.invalidator = purge.CloudFront{Client: cloudfront.NewFromConfig(cfg), DistributionID: out.DistributionID}
	}
	t.source = purge.S3Source{Client: client(primary), Bucket: out.PrimarySourceBucket}
	regions := make([]string, 0, len(out.TransformedBuckets))
	for r := range out.TransformedBuckets {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	for _, r := range regions {
		t.buckets = append(t.buckets, purge.S3Bucket{Client: client(r), Name: out.TransformedBuckets[r], In: r})
	}
	return t, nil
}

// originalsUnder lists the originals under each prefix that have variants in
// some region: every variant key is "<original>/<ops>".
func originalsUnder(ctx context.Context, buckets []purge.Bucket, prefixes []string) ([]string, error) {
	set := map[string]bool{}
	for _, b := range buckets {
		sb, ok := b.(purge.S3Bucket)
		if !ok {
			return nil, fmt.Errorf("cannot list %s", b.Region())
		}
		for _, prefix := range prefixes {
			p := s3.NewListObjectsV2Paginator(sb.Client, &s3.ListObjectsV2Input{Bucket: aws.String(sb.Name), Prefix: aws.String(prefix)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("listing s3://%s/%s: %w", sb.Name, prefix, err)
				}
				for _, o := range page.Contents {
					k := aws.ToString(o.Key)
					i := strings.LastIndexByte(k, '/')
					if i <= 0 {
						continue
					}
					if _, err := contract.ParseOps(k[i+1:]); err == nil {
						set[k[:i]] = true
					}
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}
