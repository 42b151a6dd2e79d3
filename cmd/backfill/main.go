// Command backfill copies the originals a region's replica of the source bucket lacks
// from the main source bucket. S3 replication copies only objects written after a rule
// exists, so a region added to a stack starts with an empty replica; until it is
// filled, that region's converter reads each original cross-region from the main
// bucket (its fallback on NoSuchKey). The copy is server-side (CopyObject, run in the
// replica's region), keeps Content-Type, Cache-Control and user metadata, skips keys
// whose replica already has the same ETag, and can be re-run safely.
//
//	pulumi stack output --json | go run ./cmd/backfill -region ap-northeast-1
//
// The credentials need s3:ListBucket and s3:GetObject on the main source bucket (and
// s3:GetObjectTagging when originals are tagged), and s3:ListBucket, s3:GetObject and
// s3:PutObject (s3:PutObjectTagging for tags) on the replica.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// stackOutputs are the outputs of `pulumi stack output --json` the command reads.
type stackOutputs struct {
	PrimarySourceBucket string            `json:"primarySourceBucket"`
	PrimaryRegion       string            `json:"primaryRegion"`
	SourceBuckets       map[string]string `json:"sourceBuckets"`
}

// options say what to copy where; from the flags, or the stack outputs on stdin.
type options struct {
	from, fromRegion, to, toRegion string
	endpoint, prefix               string
	workers                        int
	dryRun                         bool
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	region := fs.String("region", "", "the new region: read the buckets from `pulumi stack output --json` on stdin")
	fs.StringVar(&o.from, "from", "", "main source bucket (instead of -region)")
	fs.StringVar(&o.fromRegion, "from-region", "", "its region")
	fs.StringVar(&o.to, "to", "", "replica bucket to fill (instead of -region)")
	fs.StringVar(&o.toRegion, "to-region", "", "its region")
	fs.StringVar(&o.prefix, "prefix", "", "copy only keys under this prefix")
	fs.IntVar(&o.workers, "workers", 16, "concurrent copies")
	fs.BoolVar(&o.dryRun, "dry-run", false, "list what would be copied, copy nothing")
	fs.StringVar(&o.endpoint, "endpoint", "", "an S3-compatible endpoint instead of AWS (path-style)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *region != "" {
		if err := o.fromOutputs(stdin, *region); err != nil {
			fmt.Fprintf(stderr, "backfill: %v\n", err)
			return 2
		}
	}
	if o.from == "" || o.to == "" || o.fromRegion == "" || o.toRegion == "" {
		fmt.Fprintln(stderr, "backfill: give -region (with the stack outputs on stdin), or -from, -from-region, -to and -to-region")
		return 2
	}
	if o.from == o.to {
		fmt.Fprintf(stderr, "backfill: %s is the main source bucket itself\n", o.to)
		return 2
	}
	c, err := o.copier(ctx, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "backfill: %v\n", err)
		return 1
	}
	st, err := c.Run(ctx)
	fmt.Fprintf(stdout, "s3://%s → s3://%s: %s\n", o.from, o.to, st)
	if err != nil {
		fmt.Fprintf(stderr, "backfill: %v\n", err)
		return 1
	}
	return 0
}

// fromOutputs takes the buckets for region from the stack outputs in r.
func (o *options) fromOutputs(r io.Reader, region string) error {
	var out stackOutputs
	if err := json.NewDecoder(r).Decode(&out); err != nil {
		return fmt.Errorf("reading `pulumi stack output --json` from stdin: %w", err)
	}
	if out.PrimarySourceBucket == "" || out.PrimaryRegion == "" {
		return errors.New("the stack outputs lack primarySourceBucket or primaryRegion: `pulumi up` the current program first")
	}
	to, ok := out.SourceBuckets[region]
	if !ok {
		return fmt.Errorf("the stack has no cell in %s (sourceBuckets: %v)", region, out.SourceBuckets)
	}
	o.from, o.fromRegion, o.to, o.toRegion = out.PrimarySourceBucket, out.PrimaryRegion, to, region
	return nil
}

func (o *options) copier(ctx context.Context, log io.Writer) (*copier, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS credentials: %w", err)
	}
	client := func(region string) *s3.Client {
		return s3.NewFromConfig(cfg, func(so *s3.Options) {
			so.Region = region
			if o.endpoint != "" {
				so.BaseEndpoint = aws.String(o.endpoint)
				so.UsePathStyle = true
			}
		})
	}
	return &copier{
		From: o.from, To: o.to, Source: client(o.fromRegion), Replica: client(o.toRegion),
		Prefix: o.prefix, Workers: o.workers, DryRun: o.dryRun, Log: log,
	}, nil
}
