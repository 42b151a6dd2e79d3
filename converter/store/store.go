// Package store is the converter's storage: it reads originals from the
// source buckets and writes variants to the transformed bucket. The handler
// sees only the narrow interfaces below; S3 implements them over
// aws-sdk-go-v2 and Memory is an in-memory fake for handler unit tests.
package store

import (
	"context"
	"errors"
	"time"

	"imgcells/converter/arrive"
)

// CacheControl is stored with every variant and served with it: a variant's
// key names its content exactly, so it never changes.
const CacheControl = "public, max-age=31536000, immutable"

// Source says which bucket served an original.
type Source string

const (
	// FromReplica is this region's replica of the source bucket (in the
	// primary region, the source bucket itself).
	FromReplica Source = "replica"
	// FromPrimary is the primary source bucket, read when the replica does
	// not have the object yet because replication lags behind an upload.
	FromPrimary Source = "primary"
)

// Original is the bytes of an original image and where they came from.
type Original struct {
	// Data is the original's bytes; nil from OpenOriginal, whose Arriving
	// receives them instead.
	Data        []byte
	Arriving    *arrive.Buffer
	Source      Source
	ContentType string // as stored; informational only, the decoder sniffs
	// ETag is the version the bytes are (without quotes): the primary
	// source bucket's current one when Verified.
	ETag string
	// Verified says the bytes are the primary source bucket's current
	// version. It is false only when the primary could not be asked (an
	// outage of its region) and the replica's copy was used as it is: such
	// a conversion may be of an older version, so it is served briefly and
	// never stored.
	Verified bool
	// Retried counts the requests for it that S3 left silent and that were
	// made again: a GET without an answer, the rest of a body that stopped
	// (those of Arriving's body count in its Resumed until it is whole).
	Retried int
}

// Originals reads original images.
type Originals interface {
	// GetOriginal reads the current version of the original at key. The
	// primary source bucket decides what is current: the replica's copy is
	// used only when its ETag is the primary's (replication may lag behind
	// an overwrite, and a delete), else the primary's is read. A key the
	// primary does not have is a converter NotFound error (404), whatever
	// the replica holds; an object larger than maxBytes is a converter
	// TooLarge error (413), refused before its body is read.
	GetOriginal(ctx context.Context, key string, maxBytes int64) (Original, error)
}

// StreamingOriginals are Originals that can hand over an original while its
// body is still arriving, so that decoding overlaps the transfer.
type StreamingOriginals interface {
	Originals
	// OpenOriginal is GetOriginal that returns once the version is decided
	// and the body has started: Original.Arriving (not Data) receives it.
	OpenOriginal(ctx context.Context, key string, maxBytes int64) (Original, error)
}

// Variants stores converted images.
type Variants interface {
	// PutVariant stores data under key with the given Content-Type and
	// CacheControl, recording sourceETag (the original version it was made
	// from, contract.SourceETagMetadata), only if no object exists there
	// yet. It returns created=false with a nil error when another writer
	// stored the key first: both conversions produced the same bytes, or
	// the other is of an older version, which the purge removes.
	PutVariant(ctx context.Context, key string, data []byte, contentType, sourceETag string) (created bool, err error)
	// VariantURL returns a URL from which anyone may GET the variant stored
	// under key, straight from this region's transformed bucket, for ttl:
	// where an output too large to answer inline is sent. It names the
	// bucket the variant was just written to, never the CDN, so following
	// it cannot reach a region replication has not reached yet.
	VariantURL(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// ErrNotFound is what Memory and S3 wrap inside the converter NotFound error,
// so callers can tell a missing original from other 404s with errors.Is.
var ErrNotFound = errors.New("no such key in the primary source bucket")
