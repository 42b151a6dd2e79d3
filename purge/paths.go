package purge

import (
	"slices"
	"strings"

	"imgcells/contract"
)

// MaxWildcards is how many wildcard paths one invalidation may carry.
// CloudFront allows 15 wildcard paths in progress per distribution at a time
// (Developer Guide, "Concurrent invalidation request maximum"); two purge
// batches at once stay within it, with room for an operator's.
const MaxWildcards = 6

// Path is the invalidation path of every variant of an original: the cache
// key is the URI the edge function rewrote, /<key encoded as the edge
// encodes it>/<ops>, so "/<encoded key>/*" matches all of them and nothing
// else but the variants of originals stored "under" it (a key such as
// "a.jpg/b.jpg" under "a.jpg"). The path must be spelled exactly as the cache
// key: CloudFront compares invalidation paths with cached URIs as they are
// (a literal "+" does not invalidate a cached "%2B", rust-lang/crates.io
// #14062). The viewer's URI is never a cache key here, because the function
// rewrites every request before the cache lookup.
func Path(key string) string { return wildcard(contract.EncodePath(key) + "/") }

// PrefixPath is the invalidation path of every variant of every original
// whose key starts with prefix.
func PrefixPath(prefix string) string { return wildcard(contract.EncodePath(prefix)) }

// wildcard appends the "*" that must end the path. CloudFront refuses a "~"
// in an invalidation path and "%7E" does not match a cached "~"
// (aws/aws-sdk#525), while the edge leaves "~" unencoded like every RFC 3986
// unreserved character: such a path is cut before its first "~", which
// invalidates a little more than needed, never less.
func wildcard(prefix string) string {
	if i := strings.IndexByte(prefix, '~'); i >= 0 {
		prefix = prefix[:i]
	}
	return prefix + "*"
}

// Paths covers the variants of every key with at most limit wildcard paths:
// one Path per key when they fit, else common prefixes of them. A wider path
// costs only cache misses that are refilled from the transformed buckets
// (no conversion: their variants were not deleted); every path counts once
// against CloudFront's free 1,000 a month.
func Paths(keys []string, limit int) []string {
	var prefixes []string
	for _, k := range keys {
		prefixes = append(prefixes, strings.TrimSuffix(Path(k), "*"))
	}
	slices.Sort(prefixes)
	prefixes = slices.Compact(prefixes)
	prefixes = dropCovered(prefixes)
	for limit > 0 && len(prefixes) > limit {
		// Merge the neighbours that share the longest prefix: that loses
		// the least precision.
		best, bestLen := 0, -1
		for i := 0; i+1 < len(prefixes); i++ {
			if n := len(commonPrefix(prefixes[i], prefixes[i+1])); n > bestLen {
				best, bestLen = i, n
			}
		}
		merged := commonPrefix(prefixes[best], prefixes[best+1])
		prefixes = slices.Replace(prefixes, best, best+2, merged)
		slices.Sort(prefixes)
		prefixes = dropCovered(prefixes)
	}
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p + "*"
	}
	return out
}

// dropCovered removes each sorted prefix that an earlier one already covers.
func dropCovered(sorted []string) []string {
	out := sorted[:0]
	for _, p := range sorted {
		if n := len(out); n > 0 && strings.HasPrefix(p, out[n-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// commonPrefix is the longest common prefix of two encoded paths that does
// not end inside a %XX escape. Both start with "/", so it is never empty.
func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	p := a[:n]
	if i := strings.LastIndexByte(p, '%'); i >= 0 && len(p)-i < 3 {
		p = p[:i]
	}
	return p
}
