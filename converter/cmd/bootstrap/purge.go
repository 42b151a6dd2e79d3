package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"imgcells/contract"
	"imgcells/purge"
)

// runPurge serves the purge queue's batches until the runtime stops it.
func runPurge(logger *slog.Logger) {
	w, err := setupPurge(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("purge cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(w.HandleSQS)
}

// setupPurge builds the purge Worker from the environment: one S3 client per
// region (the main source bucket's and each transformed bucket's), CloudFront
// and the queue.
func setupPurge(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*purge.Worker, error) {
	e, err := contract.LoadPurgeEnv(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(e.Region))
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return newPurgeWorker(awsCfg, e, logger), nil
}

func newPurgeWorker(awsCfg aws.Config, e contract.PurgeEnv, logger *slog.Logger) *purge.Worker {
	s3In := func(region string) *s3.Client {
		return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			o.Region = region
			if e.S3Endpoint != "" {
				o.BaseEndpoint = aws.String(e.S3Endpoint)
				o.UsePathStyle = true
			}
		})
	}
	p := &purge.Purger{Source: purge.S3Source{Client: s3In(e.PrimaryRegion), Bucket: e.PrimarySourceBucket}}
	for region, bucket := range e.TransformedBuckets {
		p.Buckets = append(p.Buckets, purge.S3Bucket{Client: s3In(region), Name: bucket, In: region})
	}
	return &purge.Worker{
		Purger:      p,
		Invalidator: purge.CloudFront{Client: cloudfront.NewFromConfig(awsCfg), DistributionID: e.DistributionID},
		Queue:       purge.SQS{Client: sqs.NewFromConfig(awsCfg), URL: e.QueueURL},
		Log:         logger,
	}
}
