package tests

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/converter/store"
	"imgcells/local/stack"
	"imgcells/verify"
)

// The purge tests run with replication lagging (purgeLag) and the Lambda's
// time bounds scaled down so a test sees the whole lifecycle: a conversion is
// cut after purgeConversion, and the purge looks again purgeSettle after a
// change, before the replicas have the new original (as with AWS's 35 s
// against replication's up to 15 minutes). Every region must serve the new
// image (or a 404) within the lag plus purgeMargin.
const (
	purgeLag        = 4 * time.Second
	purgeConversion = 3 * time.Second
	purgeSettle     = 3500 * time.Millisecond
	purgeMargin     = 3 * time.Second
)

// purgeLog counts the purge's error records.
type purgeLog struct {
	t      testing.TB
	errors atomic.Int64
}

func (p *purgeLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *purgeLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		p.errors.Add(1)
	}
	var b strings.Builder
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	p.t.Logf("%s %s%s", r.Level, r.Message, b.String())
	return nil
}
func (p *purgeLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *purgeLog) WithGroup(string) slog.Handler      { return p }

func startPurgeStack(t *testing.T) (*e2eStack, *purgeLog) {
	t.Helper()
	log := &purgeLog{t: t}
	s := startStack(t, func(c *stack.Config) {
		c.ReplicationLag = purgeLag
		c.ReplicationTick = 100 * time.Millisecond
		c.ConverterTimeout = purgeConversion
		c.PurgeSettleDelay = purgeSettle
		c.PurgeRetryDelay = 300 * time.Millisecond
		c.PurgeLog = slog.New(log)
	})
	return s, log
}

// orientation says which photo a response shows: the originals used here are
// landscape (photo.jpg, 480×270) and portrait (portrait.jpg, 240×360), and a
// variant keeps the aspect ratio.
func orientation(t testing.TB, r reply) string {
	t.Helper()
	if r.Status != http.StatusOK {
		return fmt.Sprintf("status %d", r.Status)
	}
	cfg, _, err := verify.DecodeConfig(r.Body)
	if err != nil {
		return "undecodable"
	}
	if cfg.Height > cfg.Width {
		return "portrait"
	}
	return "landscape"
}

// waitEverywhere polls every region for every path until each answers want
// ("portrait", "landscape" or "status 404").
func (s *e2eStack) waitEverywhere(t *testing.T, paths []string, want string, within time.Duration) {
	t.Helper()
	start := time.Now()
	var last string
	for time.Since(start) < within {
		last = ""
		for _, region := range s.Regions() {
			for _, p := range paths {
				if got := orientation(t, s.get(p, region, acceptChrome)); got != want {
					last = fmt.Sprintf("%s %s: %s", region, p, got)
				}
			}
		}
		if last == "" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not every region serves %s within %s: %s", want, within, last)
}

// storedSources lists every variant of key in every transformed bucket with
// the ETag of the original it was made from.
func (s *e2eStack) storedSources(t *testing.T, key string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, region := range s.Regions() {
		bucket := s.Buckets().Transformed(region)
		for _, k := range s.transformedKeys(ctx, region, key) {
			h, err := s.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
			if err != nil {
				t.Fatalf("%s/%s: %v", bucket, k, err)
			}
			out[region+" "+k] = h.Metadata[contract.SourceETagMetadata]
		}
	}
	return out
}

// quiesce waits until nothing of a change can still be under way: the
// settle check has run, and anything it waited for has replicated.
func quiesce() { time.Sleep(purgeSettle + 2*purgeLag + time.Second) }

// An overwrite reaches every region within the lag plus a margin, even with
// twenty requests for the old variants in flight while it happens, and no
// variant of the old photo survives anywhere afterwards.
func TestE2EOverwriteReachesEveryRegion(t *testing.T) {
	s, log := startPurgeStack(t)
	ctx := context.Background()
	const key = "products/shoe.jpg"
	oldPhoto, newPhoto := readPhoto(t, "photo.jpg"), readPhoto(t, "portrait.jpg")
	if err := s.PutOriginal(ctx, key, oldPhoto); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	// Old variants everywhere: converted, cached, stored and replicated.
	var paths []string
	for _, w := range []int{100, 200, 320} {
		paths = append(paths, fmt.Sprintf("/%s?width=%d", key, w))
	}
	s.waitEverywhere(t, paths, "landscape", time.Second)
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(s.storedSources(t, key)); n != 2*len(paths) {
		t.Fatalf("%d stored variants before the overwrite, want %d", n, 2*len(paths))
	}

	// Twenty requests for old variants in flight (cached ones and fresh
	// conversions in both regions) while the photo is replaced.
	inflight := append([]string(nil), paths...)
	for _, w := range []int{16, 32, 48, 64, 96, 128, 256, 384, 640} {
		inflight = append(inflight, fmt.Sprintf("/%s?width=%d", key, w))
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	started := make(chan struct{}, 20)
	for i := range 20 {
		wg.Go(func() {
			region := s.Regions()[i%2]
			for j := 0; ; j++ {
				p := inflight[(i+j)%len(inflight)]
				if j == 0 {
					started <- struct{}{}
				}
				r := s.get(p, region, acceptChrome)
				if r.Status != http.StatusOK && r.Status != http.StatusServiceUnavailable {
					t.Errorf("%s %s during the overwrite: %d %s", region, p, r.Status, truncate(r.Body))
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	for range 20 {
		<-started
	}
	if err := s.PutOriginal(ctx, key, newPhoto); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	time.Sleep(300 * time.Millisecond) // let the requests race the purge for a while
	close(stop)
	wg.Wait()

	s.waitEverywhere(t, append(paths, inflight...), "portrait", purgeLag+purgeMargin-time.Since(changed))
	t.Logf("every region served the new photo %s after the overwrite", time.Since(changed).Round(time.Millisecond))

	// Once nothing can still be under way, nothing of the old photo is left.
	quiesce()
	s.waitEverywhere(t, append(paths, inflight...), "portrait", time.Millisecond)
	newETag := store.ETag(newPhoto)
	for k, src := range s.storedSources(t, key) {
		if src != newETag {
			t.Errorf("%s was made from %q, not the current original %q", k, src, newETag)
		}
	}
	if n := log.errors.Load(); n != 0 {
		t.Errorf("the purge logged %d errors", n)
	}
}

// After a delete every region answers 404 within the lag plus a margin, no
// variant is left in any transformed bucket, and the delete replicates.
func TestE2EDeleteReachesEveryRegion(t *testing.T) {
	s, log := startPurgeStack(t)
	ctx := context.Background()
	const key = "legal/taken-down.jpg"
	if err := s.PutOriginal(ctx, key, readPhoto(t, "photo.jpg")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/" + key + "?width=100", "/" + key + "?width=320"}
	s.waitEverywhere(t, paths, "landscape", time.Second)
	if _, err := s.Replicate(ctx); err != nil {
		t.Fatal(err)
	}

	if err := s.DeleteOriginal(ctx, key); err != nil {
		t.Fatal(err)
	}
	s.waitEverywhere(t, paths, "status 404", purgeLag+purgeMargin)
	quiesce()
	s.waitEverywhere(t, paths, "status 404", time.Millisecond)
	if left := s.storedSources(t, key); len(left) != 0 {
		t.Errorf("variants left after the delete: %v", left)
	}
	for _, region := range s.Regions() {
		if keys, err := s.Keys(ctx, s.Buckets().Source(region), key); err != nil || len(keys) != 0 {
			t.Errorf("the source bucket of %s still has %v (%v)", region, keys, err)
		}
	}
	if n := log.errors.Load(); n != 0 {
		t.Errorf("the purge logged %d errors", n)
	}
}
