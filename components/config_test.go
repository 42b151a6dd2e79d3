package components

import (
	"maps"

	"imgcells/components/stackconfig"
)

// testSecret is a valid origin-verify secret for the mocked stacks.
const testSecret = "0123456789abcdef0123456789abcdef"

// with copies r and sets each key to its value; "<unset>" removes the key.
func with(r stackconfig.Raw, kv ...string) stackconfig.Raw {
	out := stackconfig.Raw{}
	maps.Copy(out, r)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<unset>" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}
