package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CellLinks are what joins the cells once every cell and the front exist.
type CellLinks struct {
	DistributionARN pulumi.StringInput // the only reader of the transformed buckets
	// SourceRTC turns on S3 Replication Time Control on the main source bucket's rules.
	// The transformed buckets never use it: their objects are a cache any converter
	// re-creates on a miss, not worth RTC's per-GB fee.
	SourceRTC bool
}

// LinkCells adds what no cell can create alone: each transformed bucket replicates to
// every other cell's and admits the distribution; the primary cell's main source bucket
// replicates to every replica. The links are children of the cell whose bucket they
// configure (same provider, same names as the cell's other children), so `pulumi
// preview` shows them under it. Each cell is linked once.
func LinkCells(ctx *pulumi.Context, cells map[string]*RegionalImageCell, links CellLinks) error {
	for _, region := range sortedKeys(cells) {
		c := cells[region]
		if c.linked {
			return fmt.Errorf("cell %s is already linked", c.name)
		}
		c.linked = true
		policy := pulumi.All(c.Transformed.ARN, links.DistributionARN).ApplyT(func(v []any) string {
			arn := v[0].(string)
			return BucketPolicy(arn, CloudFrontRead(objects(arn), v[1].(string)))
		}).(pulumi.StringOutput)
		if err := setPolicy(ctx, child(c.name, "transformed-policy"), c.transformed, policy, c.opts...); err != nil {
			return err
		}
		var transformedTo, sourceTo []replicaTarget
		for _, other := range sortedKeys(cells) {
			if other == region {
				continue
			}
			p := cells[other]
			transformedTo = append(transformedTo, replicaTarget{Region: other, Bucket: p.transformed})
			sourceTo = append(sourceTo, replicaTarget{Region: other, Bucket: p.source})
		}
		if len(transformedTo) == 0 {
			continue
		}
		if err := replicate(ctx, c.name, "transformed", c.transformed, transformedTo, false, c.opts...); err != nil {
			return err
		}
		if c.primary {
			if err := replicate(ctx, c.name, "source", c.source, sourceTo, links.SourceRTC, c.opts...); err != nil {
				return err
			}
		}
	}
	return nil
}
