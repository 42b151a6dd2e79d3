package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"imgcells/contract"
	"imgcells/converter/arrive"
)

// S3Config names the buckets of one regional cell.
type S3Config struct {
	// Region is this cell's region (AWS_REGION on Lambda).
	Region string
	// SourceBucket is this region's replica of the source bucket; in the
	// primary region it is the primary source bucket itself.
	SourceBucket string
	// PrimarySourceBucket and PrimaryRegion name the bucket read when the
	// replica does not have an original yet. When they equal SourceBucket
	// and Region there is no fallback read.
	PrimarySourceBucket string
	PrimaryRegion       string
	// TransformedBucket is this region's bucket of variants.
	TransformedBucket string
	// Endpoint, when set, is an S3-compatible endpoint URL (a local server,
	// tests); requests then use path-style addressing.
	Endpoint string
	// URLRegion, when set, is the region VariantURL signs for instead of
	// Region: one S3-compatible server holding every simulated region's
	// buckets checks a single region (the local stack). Unset on AWS.
	URLRegion string
	// PrimaryCheckTimeout bounds the HEAD that asks the primary source
	// bucket for an original's current version; 0 means
	// DefaultPrimaryCheckTimeout. Past it the replica's copy is used,
	// unverified.
	PrimaryCheckTimeout time.Duration
	// StallTimeout is how long reading an original waits for S3 to start
	// answering, or for the next bytes of its body, before it gives up on
	// that request and makes it again: a GET without an answer is made
	// once more with twice the wait, a stalled body is asked again from
	// where it stopped (a ranged GET of the same version) once. 0 means
	// DefaultStallTimeout.
	StallTimeout time.Duration
}

// DefaultStallTimeout follows S3's advice for latency-sensitive reads: a
// GET whose median is tens of milliseconds is made again after 2 s, and
// after 4 s more. Waiting longer for a stuck connection only spends the
// conversion's budget.
const DefaultStallTimeout = 2 * time.Second

func (c S3Config) stallTimeout() time.Duration {
	if c.StallTimeout > 0 {
		return c.StallTimeout
	}
	return DefaultStallTimeout
}

// putTimeout bounds the write of an n-byte variant: the stall timeout plus
// its upload at 1 MB/s, far below what a Lambda gets from S3 in its own
// region, so that only a write that is stuck is cut.
func (c S3Config) putTimeout(n int) time.Duration {
	return c.stallTimeout() + time.Duration(n)*time.Second/(1<<20)
}

// DefaultPrimaryCheckTimeout is long enough for a HEAD across the world and
// short enough that an outage of the primary's region leaves the other
// regions converting.
const DefaultPrimaryCheckTimeout = 3 * time.Second

func (c S3Config) primaryCheckTimeout() time.Duration {
	if c.PrimaryCheckTimeout > 0 {
		return c.PrimaryCheckTimeout
	}
	return DefaultPrimaryCheckTimeout
}

func (c S3Config) validate() error {
	for _, f := range []struct{ name, value string }{
		{"Region", c.Region}, {"SourceBucket", c.SourceBucket},
		{"PrimarySourceBucket", c.PrimarySourceBucket}, {"PrimaryRegion", c.PrimaryRegion},
		{"TransformedBucket", c.TransformedBucket},
	} {
		if f.value == "" {
			return fmt.Errorf("store: %s is required", f.name)
		}
	}
	return nil
}

// S3 implements Originals and Variants over Amazon S3 or any S3-compatible
// server.
type S3 struct {
	cfg     S3Config
	local   *s3.Client // this region: replica and transformed bucket
	primary *s3.Client // the primary source bucket's region
	presign *s3.PresignClient
}

var (
	_ Originals = (*S3)(nil)
	_ Variants  = (*S3)(nil)
)

// NewS3 builds the clients from an aws.Config (credentials, retries, HTTP
// client) loaded by the caller, e.g. with config.LoadDefaultConfig.
func NewS3(awsCfg aws.Config, cfg S3Config) (*S3, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	client := func(region string) *s3.Client {
		return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			o.Region = region
			if cfg.Endpoint != "" {
				o.BaseEndpoint = aws.String(cfg.Endpoint)
				o.UsePathStyle = true
			}
		})
	}
	st := &S3{cfg: cfg, local: client(cfg.Region)}
	st.primary = st.local
	if cfg.PrimaryRegion != cfg.Region {
		st.primary = client(cfg.PrimaryRegion)
	}
	urlClient := st.local
	if cfg.URLRegion != "" && cfg.URLRegion != cfg.Region {
		urlClient = client(cfg.URLRegion)
	}
	st.presign = s3.NewPresignClient(urlClient)
	return st, nil
}

// GetOriginal implements Originals: OpenOriginal, then the whole body.
func (s *S3) GetOriginal(ctx context.Context, key string, maxBytes int64) (Original, error) {
	o, err := s.OpenOriginal(ctx, key, maxBytes)
	if err != nil {
		return Original{}, err
	}
	o.Data, err = o.Arriving.All(ctx)
	if err != nil {
		err = fmt.Errorf("reading the body of original %q: %w", key, err)
		if errors.Is(err, arrive.ErrStalled) {
			return Original{}, unanswered(err)
		}
		return Original{}, err
	}
	o.Retried += o.Arriving.Resumed()
	o.Arriving = nil
	return o, nil
}

// OpenOriginal implements StreamingOriginals: it returns once the current
// version is known and its body has started, which then arrives in the
// background into Original.Arriving. In a region other than the primary's
// it asks the primary source bucket for the current version (a HEAD) while
// it opens the replica's copy, so the check costs the longer of the two
// round trips, not their sum; S3's read-after-write consistency makes that
// HEAD see every write and delete that finished before it.
func (s *S3) OpenOriginal(ctx context.Context, key string, maxBytes int64) (Original, error) {
	if s.primaryIsLocal() {
		o, err := s.openObject(ctx, s.local, s.cfg.SourceBucket, key, maxBytes)
		if isNoSuchKey(err) {
			return Original{}, notFound(key)
		}
		if err != nil {
			return Original{}, err
		}
		return Original{Arriving: o.body, Source: FromReplica, ContentType: o.ctype, ETag: o.etag, Verified: true, Retried: o.retried}, nil
	}
	head := make(chan current, 1)
	go func() { head <- s.currentVersion(ctx, key) }()
	replica, rerr := s.openObject(ctx, s.local, s.cfg.SourceBucket, key, maxBytes)
	cur := <-head
	switch {
	case cur.err == nil && !cur.found:
		// Deleted (or never uploaded): a replica's copy is one replication
		// has not removed yet, and is never served.
		replica.abandon()
		return Original{}, notFound(key)
	case cur.err == nil && rerr == nil && replica.etag == cur.etag:
		return Original{Arriving: replica.body, Source: FromReplica, ContentType: replica.ctype, ETag: replica.etag, Verified: true, Retried: replica.retried}, nil
	case cur.err == nil:
		// The replica lags behind (or misses, or failed): read the primary.
		replica.abandon()
		o, err := s.openObject(ctx, s.primary, s.cfg.PrimarySourceBucket, key, maxBytes)
		if isNoSuchKey(err) {
			return Original{}, notFound(key)
		}
		if err != nil {
			return Original{}, err
		}
		return Original{Arriving: o.body, Source: FromPrimary, ContentType: o.ctype, ETag: o.etag, Verified: true, Retried: replica.retried + o.retried}, nil
	case rerr == nil:
		// The primary cannot be asked: serve the replica's copy, unverified.
		return Original{Arriving: replica.body, Source: FromReplica, ContentType: replica.ctype, ETag: replica.etag, Retried: replica.retried}, nil
	default:
		if isNoSuchKey(rerr) {
			return Original{}, fmt.Errorf("original %q is not in the replica and the primary cannot be asked: %w", key, cur.err)
		}
		return Original{}, rerr
	}
}

func (s *S3) primaryIsLocal() bool {
	return s.cfg.PrimarySourceBucket == s.cfg.SourceBucket && s.cfg.PrimaryRegion == s.cfg.Region
}

// current is what the primary source bucket holds at a key.
type current struct {
	etag  string
	found bool
	err   error // the primary could not be asked
}

// currentVersion asks the primary source bucket for the key's current ETag,
// giving up after PrimaryCheckTimeout.
func (s *S3) currentVersion(ctx context.Context, key string) current {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.primaryCheckTimeout())
	defer cancel()
	out, err := s.primary.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.cfg.PrimarySourceBucket), Key: aws.String(key)})
	if isNoSuchKey(err) {
		return current{}
	}
	if err != nil {
		return current{err: fmt.Errorf("asking s3://%s/%s for its current version: %w", s.cfg.PrimarySourceBucket, key, err)}
	}
	return current{etag: contract.TrimETag(aws.ToString(out.ETag)), found: true}
}

func notFound(key string) error {
	return &contract.Error{Status: http.StatusNotFound, Reason: "original image not found", Err: fmt.Errorf("%q: %w", key, ErrNotFound)}
}

// object is an original being read: its body arriving, Content-Type and
// ETag, and how many GETs S3 left silent before one answered.
type object struct {
	body    *arrive.Buffer
	ctype   string
	etag    string
	retried int
}

// abandon stops reading an object that is not wanted.
func (o object) abandon() {
	if o.body != nil {
		o.body.Abandon()
	}
}

// openObject starts reading a whole object, refusing one larger than
// maxBytes before reading its body; the body then arrives in the
// background, and must be exactly as long as announced. A request S3 does
// not answer within the stall timeout is made again (getWatched), and a body
// that stops sending for that long is asked again from where it stopped,
// for the same version only (If-Match on the first answer's ETag).
func (s *S3) openObject(ctx context.Context, c *s3.Client, bucket, key string, maxBytes int64) (object, error) {
	stall := s.cfg.stallTimeout()
	out, abort, retried, err := getWatched(ctx, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, stall)
	if err != nil {
		return object{retried: retried}, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	size := aws.ToInt64(out.ContentLength)
	if size < 0 || (maxBytes > 0 && size > maxBytes) {
		_ = out.Body.Close()
		abort()
		if size < 0 {
			return object{}, fmt.Errorf("reading s3://%s/%s: no Content-Length", bucket, key)
		}
		return object{}, contract.TooLarge("original is %d bytes, the limit is %d", size, maxBytes)
	}
	etag := aws.ToString(out.ETag)
	resume := func(off int) (io.ReadCloser, func(), error) {
		rest, rabort, _, err := getWatched(ctx, c, &s3.GetObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key),
			Range: aws.String(fmt.Sprintf("bytes=%d-", off)), IfMatch: aws.String(etag),
		}, stall)
		if err != nil {
			return nil, nil, fmt.Errorf("reading s3://%s/%s from byte %d: %w", bucket, key, off, err)
		}
		if n := aws.ToInt64(rest.ContentLength); n != size-int64(off) {
			_ = rest.Body.Close()
			rabort()
			return nil, nil, fmt.Errorf("reading s3://%s/%s from byte %d: %d bytes, want %d", bucket, key, off, n, size-int64(off))
		}
		return rest.Body, rabort, nil
	}
	body := arrive.ReceiveWatched(out.Body, abort, int(size), arrive.Watch{Stall: stall, Resume: resume, Resumes: 1})
	return object{body: body, ctype: aws.ToString(out.ContentType), etag: contract.TrimETag(etag), retried: retried}, nil
}

// getWatched is GetObject whose answer must start within stall: a request
// without one is abandoned and made once more, given twice as long (S3's
// advice for latency-sensitive reads; the SDK's own retries cover errors,
// not silence). The returned cancel ends the request, its body's reads
// too: the caller calls it once done with the body. retried is how many
// requests went unanswered.
func getWatched(ctx context.Context, c *s3.Client, in *s3.GetObjectInput, stall time.Duration) (out *s3.GetObjectOutput, cancelBody context.CancelFunc, retried int, err error) {
	for wait := stall; ; wait, retried = wait*2, retried+1 {
		actx, cancel := context.WithCancel(ctx)
		timer := time.AfterFunc(wait, cancel)
		out, err = c.GetObject(actx, in)
		if timer.Stop() {
			if err != nil {
				cancel()
				return nil, nil, retried, err
			}
			return out, cancel, retried, nil
		}
		// The timer went off: this request's context is cancelled, and so
		// is any body it got.
		if err == nil {
			_ = out.Body.Close()
		}
		cancel()
		if ctx.Err() != nil {
			return nil, nil, retried, context.Cause(ctx)
		}
		if wait > stall {
			return nil, nil, retried + 1, unanswered(fmt.Errorf("no answer within %s, nor within %s when asked again", stall, wait))
		}
	}
}

// unanswered is the error of an original S3 would not send in time: a
// 503, as asking again later may well succeed.
func unanswered(err error) error {
	return &contract.Error{Status: http.StatusServiceUnavailable, Reason: "the source bucket is not answering", Err: err}
}

// PutVariant implements Variants with a conditional write (If-None-Match: *),
// so concurrent conversions of one variant store it once and neither fails.
func (s *S3) PutVariant(ctx context.Context, key string, data []byte, contentType, sourceETag string) (bool, error) {
	var meta map[string]string
	if sourceETag != "" {
		meta = map[string]string{contract.SourceETagMetadata: sourceETag}
	}
	// A write S3 leaves hanging would hold the invocation (or, for an output
	// too large to answer inline, the viewer) until the function's timeout:
	// it is given up on instead, and the next miss converts again.
	ctx, cancel := context.WithTimeout(ctx, s.cfg.putTimeout(len(data)))
	defer cancel()
	_, err := s.local.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.cfg.TransformedBucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String(contentType),
		CacheControl:  aws.String(CacheControl),
		Metadata:      meta,
		IfNoneMatch:   aws.String("*"),
	})
	if err == nil {
		return true, nil
	}
	if isAlreadyStored(err) {
		return false, nil
	}
	return false, fmt.Errorf("storing s3://%s/%s: %w", s.cfg.TransformedBucket, key, err)
}

// VariantURL implements Variants with a presigned GetObject URL, signed
// with the function's own (temporary) credentials: S3 checks them, and the
// role's s3:GetObject on the transformed bucket, when the URL is used. Only
// the host header is signed, so a browser following a redirect to it needs
// no other header. The URL stops working at ttl or when the credentials
// that signed it expire, whichever comes first (S3 user guide, "Download
// and upload objects with presigned URLs": a URL signed with temporary
// credentials expires with them). Presigning sends no request.
func (s *S3) VariantURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.cfg.TransformedBucket),
		Key:    aws.String(key),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presigning s3://%s/%s: %w", s.cfg.TransformedBucket, key, err)
	}
	return req.URL, nil
}

func isNoSuchKey(err error) bool {
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		}
	}
	return false
}

// isAlreadyStored reports the answers S3 gives a conditional write that lost:
// 412 PreconditionFailed (the object exists) or 409
// ConditionalRequestConflict (a concurrent write is in progress).
func isAlreadyStored(err error) bool {
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch ae.ErrorCode() {
		case "PreconditionFailed", "ConditionalRequestConflict":
			return true
		}
	}
	return false
}
