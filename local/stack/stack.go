// Package stack runs imgcells' whole request path on one machine: the
// rendered CloudFront Function (edge/cfrun), an edge cache per simulated
// region, the origin group (transformed bucket, then the converter Lambda's
// real handler on failover) and every bucket on a real S3-compatible server
// on loopback, with replication simulated between them. `go run ./local`
// serves it; the end-to-end tests and the load benchmark drive it.
package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/edge"
	"imgcells/edge/cfrun"
	"imgcells/purge"
)

// Config configures a Stack. Zero values take the defaults noted.
type Config struct {
	Regions       []string    // simulated regions, e.g. from Pulumi.dev.yaml
	PrimaryRegion string      // owns the main source bucket; default Regions[0]
	ViewerRegion  string      // where requests without RegionHeader are routed; default PrimaryRegion
	Edge          edge.Config // rendered into rewrite.js; default edge.DefaultConfig()

	OriginVerifySecret string // default: a random secret per stack
	SigningKey         string // URL-signing key put in the KeyValueStore when Edge.Signing; default random
	MaxSourceBytes     int64  // converter limits; 0: the converter's defaults
	MaxSourcePixels    int64
	MaxFrames          int          // frames an animation kept animated may have; 0: the converter's default
	ConverterMemoryMB  int          // the converter's budget, as the stack's Lambda has it; 0: the default
	MaxInlineBytes     int          // largest output returned inline, else stored and 302; 0: contract.MaxInlineBytes
	ConverterLog       *slog.Logger // the converter's own request log; default discarded

	Images string    // folder uploaded to the primary source bucket at start
	Dir    string    // S3 server data; default a temp folder removed by Close
	S3     *S3Server // an S3 server to use instead of starting versitygw

	ReplicationLag  time.Duration                    // default 0: replicate on the next tick
	ReplicationTick time.Duration                    // default 200ms
	CacheBytes      int                              // per edge cache; default 256 MiB
	NoCollapse      bool                             // turn off CloudFront's request collapsing
	BucketPrefix    string                           // default "imgcells-local"
	Logf            func(format string, args ...any) // default: to stderr

	PurgeConfig // the purge's and the conversions' time bounds (purge.go)
}

// region is one simulated AWS region: its edge cache and its converter.
type region struct {
	name        string
	cache       *Cache
	converter   APIHandler
	conversions atomic.Int64
	flights     flights
}

// Stack is a running local stack. It is an http.Handler.
type Stack struct {
	cfg        Config
	buckets    Buckets
	server     *S3Server
	ownsServer bool
	ownsDir    bool
	awsCfg     aws.Config
	s3         *s3.Client
	edge       *cfrun.Runner
	regions    map[string]*region
	Replicator *Replicator
	deliveries *deliveryLog
	stop       context.CancelFunc
	done       chan struct{}
	failed     chan struct{} // closed when the S3 server died under the stack
	failure    error         // why; read only after failed is closed

	queue         *localQueue   // the purge queue
	purger        *purge.Worker // the purge function
	invalidations atomic.Int64  // invalidation paths received
	after         afterWork     // converters' stores after their answers
}

// New starts a stack: the S3 server (unless cfg.S3 is set), the buckets,
// the uploaded images, the edge function, the converters and replication.
func New(ctx context.Context, cfg Config) (*Stack, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	code, err := edge.Render(cfg.Edge)
	if err != nil {
		return nil, err
	}
	var kvs map[string]string
	if cfg.Edge.Signing {
		kvs = map[string]string{edge.KeyCurrent: cfg.SigningKey}
	}
	runner, err := cfrun.New(code, kvs)
	if err != nil {
		return nil, fmt.Errorf("loading the edge function: %w", err)
	}
	s := &Stack{
		cfg:        cfg,
		buckets:    Buckets{Prefix: cfg.BucketPrefix, PrimaryRegion: cfg.PrimaryRegion, Regions: cfg.Regions},
		edge:       runner,
		regions:    map[string]*region{},
		deliveries: newDeliveryLog(1000),
		done:       make(chan struct{}),
		failed:     make(chan struct{}),
	}
	if err := s.startS3(ctx); err != nil {
		return nil, err
	}
	if err := s.startRegions(); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.startPurge()
	// Replication runs until Close, not until ctx (which may only cover
	// the start) is done; it keeps ctx's values.
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	go func() {
		defer close(s.done)
		s.Replicator.Run(runCtx, cfg.ReplicationTick, cfg.Logf)
	}()
	if s.ownsServer {
		go s.watchS3(runCtx, stop)
	}
	return s, nil
}

// watchS3 waits for the S3 server the stack started to exit. Unless Close
// stopped it, every request would now fail: it says so once, stops
// replication and marks the stack failed (Failed), so its owner can stop.
func (s *Stack) watchS3(ctx context.Context, stopReplication context.CancelFunc) {
	select {
	case <-ctx.Done():
		return
	case <-s.server.done:
	}
	if s.server.closing.Load() {
		return
	}
	s.failure = s.server.exitError()
	stopReplication()
	s.logf("%v: the local stack cannot serve without it; restart it", s.failure)
	close(s.failed)
}

// Failed is closed when the S3 server the stack started has died; Err then
// says why. The stack answers every request with a 503 from then on.
func (s *Stack) Failed() <-chan struct{} { return s.failed }

// Err is why the stack failed, or nil.
func (s *Stack) Err() error {
	select {
	case <-s.failed:
		return s.failure
	default:
		return nil
	}
}

func (c *Config) defaults() error {
	if len(c.Regions) == 0 {
		return errors.New("stack: at least one region is required")
	}
	if c.PrimaryRegion == "" {
		c.PrimaryRegion = c.Regions[0]
	}
	if !slices.Contains(c.Regions, c.PrimaryRegion) {
		return fmt.Errorf("stack: primary region %s is not one of %v", c.PrimaryRegion, c.Regions)
	}
	// The primary region's cell owns the source bucket: list it first.
	regions := []string{c.PrimaryRegion}
	for _, r := range c.Regions {
		if r != c.PrimaryRegion {
			regions = append(regions, r)
		}
	}
	c.Regions = regions
	if c.ViewerRegion == "" {
		c.ViewerRegion = c.PrimaryRegion
	}
	if !slices.Contains(c.Regions, c.ViewerRegion) {
		return fmt.Errorf("stack: viewer region %s is not one of %v", c.ViewerRegion, c.Regions)
	}
	if len(c.Edge.Widths) == 0 {
		c.Edge = edge.DefaultConfig()
	}
	for _, secret := range []*string{&c.OriginVerifySecret, &c.SigningKey} {
		if *secret == "" {
			b := make([]byte, 16)
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("stack: making a secret: %w", err)
			}
			*secret = hex.EncodeToString(b)
		}
	}
	if c.ReplicationTick <= 0 {
		c.ReplicationTick = 200 * time.Millisecond
	}
	if c.CacheBytes <= 0 {
		c.CacheBytes = 256 << 20
	}
	if c.BucketPrefix == "" {
		c.BucketPrefix = "imgcells-local"
	}
	if c.Logf == nil {
		// Not log.Printf: an imported package silences the standard logger.
		c.Logf = log.New(os.Stderr, "", log.LstdFlags).Printf
	}
	return c.PurgeConfig.defaults(c.Logf)
}

func (s *Stack) startS3(ctx context.Context) error {
	s.server = s.cfg.S3
	if s.server == nil {
		dir := s.cfg.Dir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "imgcells-local-")
			if err != nil {
				return fmt.Errorf("making the S3 data folder: %w", err)
			}
			dir, s.ownsDir, s.cfg.Dir = tmp, true, tmp
		}
		srv, err := StartS3Server(ctx, dir)
		if err != nil {
			return errors.Join(err, s.removeDir())
		}
		s.server, s.ownsServer = srv, true
	}
	s.awsCfg = s.server.AWSConfig()
	s.s3 = s3.NewFromConfig(s.awsCfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.server.Endpoint)
		o.UsePathStyle = true
	})
	if err := s.buckets.create(ctx, s.s3); err != nil {
		return errors.Join(err, s.Close())
	}
	if s.cfg.Images != "" {
		n, err := seed(ctx, s.s3, s.buckets.PrimarySource(), s.cfg.Images)
		if err != nil {
			return errors.Join(err, s.Close())
		}
		s.logf("uploaded %d images from %s to %s", n, s.cfg.Images, s.buckets.PrimarySource())
	}
	s.Replicator = newReplicator(s.s3, s.buckets, s.cfg.ReplicationLag)
	return nil
}

func (s *Stack) startRegions() error {
	for _, name := range s.cfg.Regions {
		conv, err := s.newConverter(name)
		if err != nil {
			return fmt.Errorf("starting the converter of %s: %w", name, err)
		}
		s.regions[name] = &region{name: name, cache: NewCache(s.cfg.CacheBytes), converter: conv}
	}
	return nil
}

// Close stops replication and the S3 server the stack started, and removes
// the data folder it made.
func (s *Stack) Close() error {
	// Stores still under way finish before the S3 server goes.
	s.after.drain()
	if s.queue != nil {
		s.queue.close()
	}
	if s.stop != nil {
		s.stop()
		<-s.done
		s.stop = nil
	}
	var err error
	if s.ownsServer {
		err = s.server.Close()
		s.ownsServer = false
	}
	return errors.Join(err, s.removeDir())
}

// removeDir removes the data folder if the stack made it.
func (s *Stack) removeDir() error {
	if !s.ownsDir {
		return nil
	}
	s.ownsDir = false
	if err := os.RemoveAll(s.cfg.Dir); err != nil {
		return fmt.Errorf("removing the data folder: %w", err)
	}
	return nil
}

func (s *Stack) logf(format string, args ...any) { s.cfg.Logf(format, args...) }
