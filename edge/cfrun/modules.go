package cfrun

import (
	"crypto/hmac"
	"crypto/md5"  //nolint:gosec // G501: CloudFront Functions' crypto module offers md5, which cfrun emulates
	"crypto/sha1" //nolint:gosec // G505: CloudFront Functions' crypto module offers sha1, which cfrun emulates
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"

	"github.com/dop251/goja"
)

// cryptoModule is the part of CloudFront's crypto module that functions use:
// createHash(alg) and createHmac(alg, key) with update(data) and
// digest(encoding), encoding hex, base64 or base64url. digest() without an
// encoding returns a Buffer in runtime 2.0; cfrun has no Buffer and throws.
func cryptoModule(vm *goja.Runtime) *goja.Object {
	m := vm.NewObject()
	_ = m.Set("createHash", func(alg string) *goja.Object {
		newHash, err := hashFor(alg)
		if err != nil {
			panic(vm.NewTypeError(err.Error()))
		}
		return hasher(vm, newHash())
	})
	_ = m.Set("createHmac", func(alg string, key goja.Value) *goja.Object {
		newHash, err := hashFor(alg)
		if err != nil {
			panic(vm.NewTypeError(err.Error()))
		}
		return hasher(vm, hmac.New(newHash, []byte(key.String())))
	})
	return m
}

func hashFor(alg string) (func() hash.Hash, error) {
	switch alg {
	case "sha256":
		return sha256.New, nil
	case "sha1":
		return sha1.New, nil
	case "md5":
		return md5.New, nil
	}
	return nil, fmt.Errorf("crypto: unsupported algorithm %q", alg)
}

func hasher(vm *goja.Runtime, h hash.Hash) *goja.Object {
	obj := vm.NewObject()
	_ = obj.Set("update", func(data string) *goja.Object {
		h.Write([]byte(data))
		return obj
	})
	_ = obj.Set("digest", func(call goja.FunctionCall) goja.Value {
		sum := h.Sum(nil)
		switch enc := call.Argument(0); enc.String() {
		case "hex":
			return vm.ToValue(hex.EncodeToString(sum))
		case "base64":
			return vm.ToValue(base64.StdEncoding.EncodeToString(sum))
		case "base64url":
			return vm.ToValue(base64.RawURLEncoding.EncodeToString(sum))
		default:
			panic(vm.NewTypeError("crypto: digest encoding %s is not provided by cfrun (use hex, base64 or base64url)", enc))
		}
	})
	return obj
}

// cloudfrontModule provides kvs([id]) whose get(key[, {format}]) and
// exists(key) return Promises, settled at once from the runner's store: get
// rejects for a missing key, as CloudFront's does.
func cloudfrontModule(vm *goja.Runtime, lookup func(string) (string, bool)) *goja.Object {
	m := vm.NewObject()
	_ = m.Set("kvs", func(goja.FunctionCall) goja.Value {
		handle := vm.NewObject()
		_ = handle.Set("get", func(key string, opts goja.Value) *goja.Promise {
			p, resolve, reject := vm.NewPromise()
			v, ok := lookup(key)
			if !ok {
				_ = reject(vm.NewGoError(fmt.Errorf("KeyValueStore: key %q not found", key)))
				return p
			}
			format := "string"
			if opts != nil && !goja.IsUndefined(opts) && !goja.IsNull(opts) {
				if f := opts.ToObject(vm).Get("format"); f != nil && !goja.IsUndefined(f) {
					format = f.String()
				}
			}
			switch format {
			case "string":
				_ = resolve(v)
			case "json":
				var parsed any
				if err := json.Unmarshal([]byte(v), &parsed); err != nil {
					_ = reject(vm.NewGoError(fmt.Errorf("KeyValueStore: key %q is not JSON: %w", key, err)))
				} else {
					_ = resolve(parsed)
				}
			default:
				_ = reject(vm.NewTypeError("KeyValueStore: format %s is not provided by cfrun", format))
			}
			return p
		})
		_ = handle.Set("exists", func(key string) *goja.Promise {
			p, resolve, _ := vm.NewPromise()
			_, ok := lookup(key)
			_ = resolve(ok)
			return p
		})
		return handle
	})
	return m
}
