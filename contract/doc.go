// Package contract is what imgcells' four programs must agree on: the CloudFront
// Function (edge/rewrite.js, rendered by package edge), the Pulumi program
// (components), the converter Lambda (converter/...) and the local stack (local/...).
//
// It holds the variant grammar (Variant, ParseOps, ParseKey, VariantKey, CDNPath),
// the typed errors every refusal is made of (Error, with an HTTP status and a
// public reason), the request headers that cross CloudFront, the Lambda's
// environment variable names and their loader, the origin group's failover codes,
// the origin secret's minimum length, and the default limits and budgets.
//
// It has no cgo and imports no AWS or Pulumi package, so the edge renderer and the
// stack configuration build with CGO_ENABLED=0. Every program imports these facts
// from here; none keeps a private copy, and the tests beside each boundary
// (tests/contract_test.go, components' mock tests, the bootstrap's tests) fail
// when one side drifts.
package contract
