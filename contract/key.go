package contract

import (
	"strings"
	"unicode/utf8"
)

// MaxKeyBytes is S3's limit on an object key, which the variant key (original
// key + "/" + ops) must respect.
const MaxKeyBytes = 1024

// VariantKey is the transformed-bucket object key for a variant of an
// original: "<original>/<ops>". Its CDN path is CDNPath, which decodes to "/" + VariantKey.
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
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return BadVariant("image key has an empty path segment")
		case ".", "..":
			return BadVariant("image key has a %q segment", seg)
		}
	}
	return nil
}

// EncodePath is the CDN path of an original's key, as the edge function writes
// every path whatever spelling the viewer used: "/" then each segment
// written by EncodeSegment.
func EncodePath(key string) string {
	var b strings.Builder
	for seg := range strings.SplitSeq(key, "/") {
		b.WriteByte('/')
		writeSegment(&b, seg)
	}
	return b.String()
}

// EncodeSegment percent-encodes s except RFC 3986 unreserved characters
// (A–Z a–z 0–9 - . _ ~), each other byte as %XX with upper-case hex: a path
// segment as the edge function writes it, and a signed parameter's value.
func EncodeSegment(s string) string {
	var b strings.Builder
	writeSegment(&b, s)
	return b.String()
}

func writeSegment(b *strings.Builder, seg string) {
	const hex = "0123456789ABCDEF"
	for i := range len(seg) {
		c := seg[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// CDNPath is the URI of a variant as the edge function rewrites it: the cache
// key, and (percent-decoded once) "/" + VariantKey. The ops are URL-safe.
func CDNPath(original string, v Variant) string {
	return EncodePath(original) + "/" + v.String()
}
