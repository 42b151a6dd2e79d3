package tests

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"imgcells/local/stack"
)

// Twenty identical cold requests at once all get the image, and the
// variant is stored once. With CloudFront's request collapsing the edge
// sends one request to the origin; without it twenty conversions race and
// the converter's conditional write lets exactly one store the object.
func TestE2EParallelColdRequests(t *testing.T) {
	for _, collapse := range []bool{true, false} {
		name := "collapsed"
		if !collapse {
			name = "uncollapsed"
		}
		t.Run(name, func(t *testing.T) {
			s := startStack(t, func(c *stack.Config) { c.NoCollapse = !collapse })
			region := s.PrimaryRegion()
			const n = 20
			replies := make([]reply, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					replies[i] = s.get("/progressive.jpg?width=640", "", acceptChrome)
				})
			}
			close(start)
			wg.Wait()
			for i, r := range replies {
				if r.Status != http.StatusOK || !bytes.Equal(r.Body, replies[0].Body) {
					t.Fatalf("reply %d: %d with %d bytes; reply 0 had %d bytes", i, r.Status, len(r.Body), len(replies[0].Body))
				}
			}
			mustImage(t, replies[0], s.browserType())
			key := s.key("progressive.jpg", s.browserFormat(), 640)
			if got := s.transformedKeys(t.Context(), region, "progressive.jpg"); len(got) != 1 || got[0] != key {
				t.Fatalf("stored %q, want [%q]", got, key)
			}
			conversions := s.Conversions(region)
			if collapse && conversions != 1 {
				t.Errorf("%d conversions with request collapsing, want 1", conversions)
			}
			if !collapse && conversions < 2 {
				t.Logf("only %d conversions raced without collapsing", conversions)
			}
			stored, refused := variantPuts(t, s, key)
			if stored != 1 {
				t.Errorf("%d successful PUTs of %s (%d conversions), want 1", stored, key, conversions)
			}
			if int64(stored+refused) != conversions {
				t.Errorf("%d conversions but %d stored + %d refused writes", conversions, stored, refused)
			}
			t.Logf("%d conversions, %d stored, %d conditional writes refused", conversions, stored, refused)
		})
	}
}

// variantPuts counts, from the S3 server's access log, the PutObject calls
// on key it stored (200) and those it refused (412: the key exists).
func variantPuts(t *testing.T, s *e2eStack, key string) (stored, refused int) {
	t.Helper()
	data, err := os.ReadFile(s.S3AccessLog())
	if err != nil {
		t.Fatalf("reading the S3 access log: %v", err)
	}
	// Fields: … s3_PutObject <key> <request path> <status> …
	for line := range strings.SplitSeq(string(data), "\n") {
		_, rest, ok := strings.Cut(line, " s3_PutObject "+key+" ")
		if !ok {
			continue
		}
		if f := strings.Fields(rest); len(f) >= 2 {
			switch f[1] {
			case "200":
				stored++
			case "412", "409":
				refused++
			}
		}
	}
	return stored, refused
}
