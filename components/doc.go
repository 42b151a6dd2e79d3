// Package components is the Pulumi program's infrastructure: one RegionalImageCell per
// configured region (source bucket or replica, transformed bucket, converter Lambda and
// its HTTP API) and one GlobalFront per stack (the Multi-Region Access Point over the
// transformed buckets, CloudFront with its viewer-request function and policies, and the
// Route 53 records), joined by LinkCells (replication and the distribution's read grant).
//
// LoadConfig reads and validates the stack's configuration once (through
// components/stackconfig); Deploy builds everything from it. Policies are built by pure
// functions (policy.go) so what they grant is tested without Pulumi; the rest is
// checked under Pulumi's mocks by the tests beside the code.
package components
