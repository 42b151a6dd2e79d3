package store

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"imgcells/contract"
)

// Memory is an in-memory Originals and Variants for unit tests of the HTTP
// adapter. It follows the same contract as S3 (replica then primary, size
// refusal, first writer wins) but is not a model of S3 itself: store
// behaviour is tested against a real S3-compatible server.
type Memory struct {
	mu       sync.Mutex
	replica  map[string][]byte
	primary  map[string][]byte
	variants map[string]StoredVariant
	// PutErr, when set, is returned by every PutVariant (a failing bucket).
	PutErr error
	// URLErr, when set, is returned by every VariantURL.
	URLErr error
}

// MemoryURLHost is the host of the URLs Memory's VariantURL returns.
const MemoryURLHost = "transformed.memory.invalid"

// StoredVariant is one object written by PutVariant.
type StoredVariant struct {
	Data         []byte
	ContentType  string
	CacheControl string
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
// replication had not caught up yet.
func (m *Memory) PutPrimary(key string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.primary[key] = data
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
	data, src := m.replica[key], FromReplica
	if data == nil {
		data, src = m.primary[key], FromPrimary
	}
	if data == nil {
		return Original{}, &contract.Error{Status: http.StatusNotFound, Reason: "original image not found", Err: fmt.Errorf("%q: %w", key, ErrNotFound)}
	}
	if maxBytes > 0 && int64(len(data)) > maxBytes {
		return Original{}, contract.TooLarge("original is %d bytes, the limit is %d", len(data), maxBytes)
	}
	return Original{Data: data, Source: src}, nil
}

// PutVariant implements Variants.
func (m *Memory) PutVariant(ctx context.Context, key string, data []byte, contentType string) (bool, error) {
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
	m.variants[key] = StoredVariant{Data: append([]byte(nil), data...), ContentType: contentType, CacheControl: CacheControl}
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
