package tests

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"imgcells/converter/store"
)

// A purge of an original that has no variants deletes nothing and breaks
// nothing: other originals' cached variants stay hits.
func TestE2EPurgeWithoutVariantsIsHarmless(t *testing.T) {
	s, log := startPurgeStack(t)
	ctx := context.Background()
	other := s.get("/photo.jpg?width=200", "", acceptChrome)
	mustImage(t, other, s.browserType())
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	before := s.storedSources(t, "photo.jpg")

	if err := s.PutOriginal(ctx, "fresh/never-requested.jpg", readPhoto(t, "gray.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOriginal(ctx, "fresh/never-existed.jpg"); err != nil {
		t.Fatal(err)
	}
	quiesce()
	if r := s.get("/photo.jpg?width=200", "", acceptChrome); r.cache() != "Hit from cloudfront" || !bytes.Equal(r.Body, other.Body) {
		t.Errorf("another original's variant: X-Cache %q, want a hit on the same bytes", r.cache())
	}
	if after := s.storedSources(t, "photo.jpg"); len(after) != len(before) || len(before) != len(s.Regions()) {
		t.Errorf("another original's variants changed: %v → %v", before, after)
	}
	if n := log.errors.Load(); n != 0 {
		t.Errorf("the purge logged %d errors", n)
	}
	if s.Invalidations() == 0 {
		t.Error("no invalidation was sent for the changes")
	}
}

// Keys with a space, a "+" and non-ASCII letters, changed through the local
// API (PUT and DELETE /_local/originals/<key>), are purged exactly.
func TestE2EPurgeOddKeysThroughTheLocalAPI(t *testing.T) {
	s, log := startPurgeStack(t)
	ctx := context.Background()
	keys := []string{"with space/shoe 1.jpg", "a+b.jpg", "ünïcødé/фото.jpg"}
	send := func(method, key string, body []byte) {
		t.Helper()
		req, err := http.NewRequest(method, s.URL+"/_local/originals"+escapePath("/"+key), bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d", method, key, resp.StatusCode)
		}
	}
	for _, key := range keys {
		send(http.MethodPut, key, readPhoto(t, "photo.jpg"))
	}
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	pathOf := func(key string) []string { return []string{escapePath("/"+key) + "?width=200"} }
	for _, key := range keys {
		s.waitEverywhere(t, pathOf(key), "landscape", time.Second)
	}
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	// A raw "+" in the URL names the key with a "+", never a space.
	send(http.MethodPut, "a+b.jpg", readPhoto(t, "portrait.jpg"))
	send(http.MethodPut, keys[0], readPhoto(t, "portrait.jpg"))
	send(http.MethodDelete, keys[2], nil)
	s.waitEverywhere(t, pathOf(keys[0]), "portrait", purgeLag+purgeMargin)
	s.waitEverywhere(t, pathOf(keys[1]), "portrait", purgeLag+purgeMargin)
	s.waitEverywhere(t, pathOf(keys[2]), "status 404", purgeLag+purgeMargin)
	quiesce()
	for _, key := range keys[:2] {
		for k, src := range s.storedSources(t, key) {
			if src != store.ETag(readPhoto(t, "portrait.jpg")) {
				t.Errorf("%s was made from %q, not the current original", k, src)
			}
		}
	}
	if left := s.storedSources(t, keys[2]); len(left) != 0 {
		t.Errorf("variants of the deleted %q left: %v", keys[2], left)
	}
	if n := log.errors.Load(); n != 0 {
		t.Errorf("the purge logged %d errors", n)
	}
}
