package store

import (
	"context"
	"crypto/md5" //nolint:gosec // S3's ETag of a one-part upload, not a security hash
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"imgcells/contract"
)

// Memory is an in-memory Originals and Variants for unit tests of the HTTP
// adapter. It follows the same contract as S3 (the primary decides what is
// current, the replica's copy is used when it is that version, size refusal,
// first writer wins) but is not a model of S3 itself: store behaviour is
// tested against a real S3-compatible server. A key only ever put in the
// replica stands for a primary holding the same bytes.
type Memory struct {
	mu       sync.Mutex
	replica  map[string][]byte
	primary  map[string][]byte
	deleted  map[string]bool // deleted from the primary
	variants map[string]StoredVariant
	// PutErr, when set, is returned by every PutVariant (a failing bucket).
	PutErr error
	// URLErr, when set, is returned by every VariantURL.
	URLErr error
	// PrimaryErr, when set, is what asking the primary returns (an outage
	// of its region): the replica's copy is then served unverified.
	PrimaryErr error
}

// MemoryURLHost is the host of the URLs Memory's VariantURL returns.
const MemoryURLHost = "transformed.memory.invalid"

// StoredVariant is one object written by PutVariant.
type StoredVariant struct {
	Data         []byte
	ContentType  string
	CacheControl string
	SourceETag   string
}

// ETag is the ETag S3 gives an object uploaded in one part: the hex MD5 of
// its bytes.
func ETag(data []byte) string {
	sum := md5.Sum(data) //nolint:gosec // S3's ETag, not a security hash
	return hex.EncodeToString(sum[:])
}

var (
	_ Originals = (*Memory)(nil)
	_ Variants  = (*Memory)(nil)
)

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{
		replica:  map[string][]byte{},
		primary:  map[string][]byte{},
		deleted:  map[string]bool{},
		variants: map[string]StoredVariant{},
	}
}

// PutReplica stores an original in the replica bucket.
func (m *Memory) PutReplica(key string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.replica[key] = data
}

// PutPrimary stores an original only in the primary bucket, as if
// replication had not caught up yet (an upload or an overwrite).
func (m *Memory) PutPrimary(key string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.primary[key] = data
	delete(m.deleted, key)
}

// DeletePrimary deletes an original from the primary bucket only, as if
// replication had not carried the delete to the replica yet.
func (m *Memory) DeletePrimary(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.primary, key)
	m.deleted[key] = true
}

// Variant returns the variant stored under key.
func (m *Memory) Variant(key string) (StoredVariant, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.variants[key]
	return v, ok
}

// VariantCount is the number of variants stored.
func (m *Memory) VariantCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.variants)
}

// GetOriginal implements Originals.
func (m *Memory) GetOriginal(ctx context.Context, key string, maxBytes int64) (Original, error) {
	if err := ctx.Err(); err != nil {
		return Original{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	replica, primary := m.replica[key], m.primary[key]
	o := Original{Data: replica, Source: FromReplica, Verified: true}
	switch {
	case m.PrimaryErr != nil:
		o.Verified = false
		if replica == nil {
			return Original{}, fmt.Errorf("the primary cannot be asked: %w", m.PrimaryErr)
		}
	case m.deleted[key]:
		o.Data = nil
	case primary != nil && (replica == nil || ETag(replica) != ETag(primary)):
		o.Data, o.Source = primary, FromPrimary
	}
	if o.Data == nil {
		return Original{}, &contract.Error{Status: http.StatusNotFound, Reason: "original image not found", Err: fmt.Errorf("%q: %w", key, ErrNotFound)}
	}
	if maxBytes > 0 && int64(len(o.Data)) > maxBytes {
		return Original{}, contract.TooLarge("original is %d bytes, the limit is %d", len(o.Data), maxBytes)
	}
	o.ETag = ETag(o.Data)
	return o, nil
}

// PutVariant implements Variants.
func (m *Memory) PutVariant(ctx context.Context, key string, data []byte, contentType, sourceETag string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.PutErr != nil {
		return false, fmt.Errorf("storing %q: %w", key, m.PutErr)
	}
	if _, ok := m.variants[key]; ok {
		return false, nil
	}
	m.variants[key] = StoredVariant{Data: append([]byte(nil), data...), ContentType: contentType, CacheControl: CacheControl, SourceETag: sourceETag}
	return true, nil
}

// VariantURL implements Variants: https://MemoryURLHost/<key>?ttl=<ttl>.
// Stricter than S3, which signs a URL for any key, it refuses a key that
// was never stored, so a test catches a redirect to nothing.
func (m *Memory) VariantURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.URLErr != nil {
		return "", fmt.Errorf("presigning %q: %w", key, m.URLErr)
	}
	if _, ok := m.variants[key]; !ok {
		return "", fmt.Errorf("presigning %q: no such variant stored", key)
	}
	u := url.URL{Scheme: "https", Host: MemoryURLHost, Path: "/" + key, RawQuery: url.Values{"ttl": {ttl.String()}}.Encode()}
	return u.String(), nil
}
