// Command imgcells is the Pulumi program: it reads the stack's configuration once and
// deploys one RegionalImageCell per region and the GlobalFront over them.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg, err := components.LoadConfig(ctx)
		if err != nil {
			return err
		}
		return components.Deploy(ctx, cfg)
	})
}
