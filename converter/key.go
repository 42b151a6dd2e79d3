package converter

import (
	"strings"
	"unicode/utf8"
)

// MaxKeyBytes is S3's limit on an object key, which the variant key (original
// key + "/" + ops) must respect.
const MaxKeyBytes = 1024

// VariantKey is the transformed-bucket object key for a variant of an
// original: "<original>/<ops>". The CDN path is "/" + VariantKey.
func VariantKey(original string, v Variant) string {
	return original + "/" + v.String()
}

// ParseKey splits a decoded variant path ("/products/shoe.jpg/format=webp,
// quality=75,width=640", leading slash optional) into the original's object
// key and its canonical variant.
func ParseKey(path string) (string, Variant, error) {
	path = strings.TrimPrefix(path, "/")
	if len(path) > MaxKeyBytes {
		return "", Variant{}, BadVariant("key longer than %d bytes", MaxKeyBytes)
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "", Variant{}, BadVariant("path has no variant: want /<key>/<ops>")
	}
	original, ops := path[:i], path[i+1:]
	if err := CheckOriginalKey(original); err != nil {
		return "", Variant{}, err
	}
	v, err := ParseOps(ops)
	if err != nil {
		return "", Variant{}, err
	}
	return original, v, nil
}

// CheckOriginalKey refuses keys that cannot name an original safely: empty,
// absolute, with empty, "." or ".." segments, invalid UTF-8 or control
// characters.
func CheckOriginalKey(key string) error {
	if key == "" {
		return BadVariant("empty image key")
	}
	if !utf8.ValidString(key) {
		return BadVariant("image key is not valid UTF-8")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return BadVariant("image key has a control character")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "":
			return BadVariant("image key has an empty path segment")
		case ".", "..":
			return BadVariant("image key has a %q segment", seg)
		}
	}
	return nil
}
