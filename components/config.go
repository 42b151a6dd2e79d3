package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"imgcells/components/stackconfig"
)

// LoadConfig reads the imgcells config of the running stack and validates it once.
// Every problem is reported (joined), each naming its key, so a preview fails early
// with everything to fix. It is the only reader of Pulumi config.
func LoadConfig(ctx *pulumi.Context) (stackconfig.Config, error) {
	raw := stackconfig.Raw{}
	for _, k := range stackconfig.Keys {
		if v, ok := ctx.GetConfig(stackconfig.Namespace + ":" + k); ok {
			raw[k] = v
		}
	}
	cfg, err := stackconfig.Parse(raw)
	if err != nil {
		return stackconfig.Config{}, fmt.Errorf("invalid configuration of stack %s:\n%w", ctx.Stack(), err)
	}
	return cfg, nil
}
