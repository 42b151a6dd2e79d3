package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/purge"
)

// originalsPrefix is where the local API takes changes to originals.
const originalsPrefix = "/_local/originals/"

// PutOriginal writes an original to the main source bucket, as a user's
// upload or overwrite does, and sends S3's event for it: the purge removes
// the variants of the old version everywhere.
func (s *Stack) PutOriginal(ctx context.Context, key string, data []byte) error {
	if err := putOriginal(ctx, s.s3, s.buckets.PrimarySource(), key, data); err != nil {
		return err
	}
	s.notify(ctx, "ObjectCreated:Put", key)
	return nil
}

// DeleteOriginal deletes an original from the main source bucket and sends
// S3's event for it: the delete replicates, and the purge removes every
// variant.
func (s *Stack) DeleteOriginal(ctx context.Context, key string) error {
	_, err := s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.buckets.PrimarySource()), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("deleting %s from %s: %w", key, s.buckets.PrimarySource(), err)
	}
	s.notify(ctx, "ObjectRemoved:Delete", key)
	return nil
}

// serveOriginals answers PUT and DELETE /_local/originals/<key>: the key is
// the rest of the path, percent-decoded once ("a+b.jpg" is a key with a
// "+"; a space is %20).
func (s *Stack) serveOriginals(w http.ResponseWriter, r *http.Request) {
	key, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), originalsPrefix))
	if err == nil {
		err = contract.CheckOriginalKey(key)
	}
	if err != nil {
		_, reason := contract.StatusOf(err)
		if reason == "internal error" {
			reason = "bad escape in the key"
		}
		http.Error(w, "bad key: "+reason, http.StatusBadRequest)
		return
	}
	switch r.Method {
	case http.MethodPut:
		limit := s.cfg.MaxSourceBytes
		if limit <= 0 {
			limit = contract.DefaultMaxSourceBytes
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, fmt.Sprintf("an original is at most %d bytes", mbe.Limit), http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if len(data) == 0 {
			http.Error(w, "the body is the image: it is empty", http.StatusBadRequest)
			return
		}
		if err := s.PutOriginal(r.Context(), key, data); err != nil {
			s.logf("PUT %s: %v", r.URL.Path, err)
			http.Error(w, "writing to the source bucket failed", http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"key": key, "bytes": len(data), "path": contract.EncodePath(key)})
	case http.MethodDelete:
		if err := s.DeleteOriginal(r.Context(), key); err != nil {
			s.logf("DELETE %s: %v", r.URL.Path, err)
			http.Error(w, "deleting from the source bucket failed", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "PUT, DELETE")
		http.Error(w, "PUT an image or DELETE it", http.StatusMethodNotAllowed)
	}
}

// serveInvalidations answers POST /_local/invalidations with a
// purge.InvalidationBatch: what cmd/imgpurge sends the local stack instead of
// CloudFront's CreateInvalidation.
func (s *Stack) serveInvalidations(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST {\"paths\": [...]}", http.StatusMethodNotAllowed)
		return
	}
	var batch purge.InvalidationBatch
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&batch); err != nil || len(batch.Paths) == 0 {
		http.Error(w, "want {\"paths\": [\"/key/*\", ...]}", http.StatusBadRequest)
		return
	}
	for _, p := range batch.Paths {
		if !strings.HasPrefix(p, "/") || strings.Contains(strings.TrimSuffix(p, "*"), "*") {
			http.Error(w, "a path starts with / and may end with one *: "+p, http.StatusBadRequest)
			return
		}
	}
	n := s.invalidate(batch.Paths)
	s.logf("invalidated %v by request: %d cached responses", batch.Paths, n)
	writeJSON(w, http.StatusOK, map[string]int{"invalidated": n})
}

// serveStackOutput answers GET /_local/stack-output: the stack's outputs in
// the shape `pulumi stack output --json` prints, plus where the local S3
// server is.
func (s *Stack) serveStackOutput(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.stackOutputs("http://"+r.Host))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n')) // a client that hung up cannot be told
}
