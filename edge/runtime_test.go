package edge_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"imgcells/edge"
)

// documented lists what the CloudFront Functions JavaScript runtime
// documents ("JavaScript runtime 2.0 features for CloudFront Functions", and
// its "Helper methods for key value stores"): the methods by name, whatever
// object they are called on, and the global functions. A call to anything
// else may work in goja, Node.js and njs and still fail in CloudFront.
var documented = struct{ methods, globals []string }{
	methods: strings.Fields(`
		fromCharCode charAt concat indexOf lastIndexOf match replace search slice split substr substring
		toLowerCase trim toUpperCase fromCodePoint codePointAt endsWith includes repeat startsWith
		padStart padEnd trimStart trimEnd
		isArray every filter forEach join map pop push reduce reduceRight reverse shift some sort splice
		unshift of copyWithin fill find findIndex
		create keys hasOwnProperty assign entries values freeze
		abs ceil floor log max min pow round sqrt
		toString toFixed isInteger
		now getTime
		test exec
		parse stringify
		createHash createHmac update digest
		kvs get exists meta
	`),
	globals: strings.Fields(`decodeURI decodeURIComponent encodeURI encodeURIComponent isFinite isNaN parseFloat parseInt`),
}

// keywords may stand before a parenthesis without being calls.
var keywords = strings.Fields(`if for while switch catch function return typeof await`)

// TestOnlyDocumentedRuntimeFeatures: every call in the deployed code (the
// largest configuration, signing on) is a documented method or global, or a
// function the code defines itself.
func TestOnlyDocumentedRuntimeFeatures(t *testing.T) {
	code, err := edge.Render(largest())
	if err != nil {
		t.Fatal(err)
	}
	src := string(code)
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`function\s+([A-Za-z_$][\w$]*)`).FindAllStringSubmatch(src, -1) {
		defined[m[1]] = true
	}
	calls := regexp.MustCompile(`(\.?)([A-Za-z_$][\w$]*)\s*\(`).FindAllStringSubmatch(src, -1)
	if len(calls) < 50 {
		t.Fatalf("found %d calls: is the pattern still right?", len(calls))
	}
	for _, m := range calls {
		method, name := m[1] == ".", m[2]
		switch {
		case method && slices.Contains(documented.methods, name):
		case !method && (defined[name] || slices.Contains(documented.globals, name) || slices.Contains(keywords, name)):
		default:
			t.Errorf("rewrite.js calls %s%s(), which the cloudfront-js-2.0 runtime does not document", m[1], name)
		}
	}
}
