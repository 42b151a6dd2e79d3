// Package httpapi adapts the converter to API Gateway HTTP API events
// (payload format 2.0): it checks the origin-verify secret, parses the
// variant key, reads the original, converts it, stores the variant and
// answers with the image. Client mistakes are HTTP responses, never Go
// errors, so the Lambda runtime never sees a failed invocation for them.
//
// Construction:
//
//	h, err := httpapi.New(httpapi.Config{
//		Originals: st, Variants: st, // e.g. a *store.S3 or *store.Memory
//		OriginVerifySecret: secret,
//		Limits: converter.DefaultLimits(),
//		Logger: slog.New(slog.NewJSONHandler(os.Stdout, nil)),
//	})
//	lambda.Start(h.Handle)
//
// Local servers can serve it over net/http with h.ServeHTTP, which builds
// the event the way API Gateway does (see EventFromHTTP).
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/store"
)

// Config wires a Handler. Originals, Variants and OriginVerifySecret are
// required.
type Config struct {
	Originals          store.Originals
	Variants           store.Variants
	OriginVerifySecret string
	// Limits bound each conversion; the zero value means
	// converter.DefaultLimits(), a zero Budget in them the default budget.
	Limits converter.Limits
	// Logger receives one line per request; nil means slog.Default().
	Logger *slog.Logger
	// MaxInlineBytes overrides contract.MaxInlineBytes when positive.
	MaxInlineBytes int
	// RedirectTTL is how long the URL a too-large output is redirected to
	// stays valid; 0 means DefaultRedirectTTL.
	RedirectTTL time.Duration
	// Function names the Lambda (AWS_LAMBDA_FUNCTION_NAME) in the metrics a
	// conversion's log line carries (metrics.go); empty: no metrics.
	Function string
}

// DefaultRedirectTTL bounds the URL of a too-large output: long enough for
// a viewer to follow the redirect at once, short enough that a copied URL
// soon stops working.
const DefaultRedirectTTL = 5 * time.Minute

// Handler serves variant requests. It is safe for concurrent use.
type Handler struct {
	originals store.Originals
	variants  store.Variants
	secret    []byte
	limits    converter.Limits
	log       *slog.Logger
	maxInline int
	urlTTL    time.Duration
	function  string
}

// New checks cfg and returns a Handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Originals == nil:
		return nil, errors.New("httpapi: Config.Originals is required")
	case cfg.Variants == nil:
		return nil, errors.New("httpapi: Config.Variants is required")
	case cfg.OriginVerifySecret == "":
		return nil, errors.New("httpapi: Config.OriginVerifySecret is required")
	}
	h := &Handler{
		originals: cfg.Originals, variants: cfg.Variants,
		secret: []byte(cfg.OriginVerifySecret), limits: cfg.Limits,
		log: cfg.Logger, maxInline: cfg.MaxInlineBytes, urlTTL: cfg.RedirectTTL, function: cfg.Function,
	}
	if h.limits == (converter.Limits{}) {
		h.limits = converter.DefaultLimits()
	}
	if h.limits.Budget == (contract.Budget{}) {
		h.limits.Budget = contract.DefaultBudget()
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.maxInline <= 0 {
		h.maxInline = contract.MaxInlineBytes
	}
	if h.urlTTL <= 0 {
		h.urlTTL = DefaultRedirectTTL
	}
	return h, nil
}

// Handle serves one API Gateway HTTP API (payload 2.0) request. The error
// is always nil: every failure, a panic included, is an HTTP response.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
	rec := &record{start: time.Now(), method: req.RequestContext.HTTP.Method, requestID: req.RequestContext.RequestID}
	defer func() {
		if p := recover(); p != nil {
			rec.err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			resp = errorResponse(http.StatusInternalServerError, "internal error")
		}
		rec.status = resp.StatusCode
		if rec.afterResponse {
			return // the store left for after the answer writes the line
		}
		h.logRequest(ctx, rec)
	}()
	return h.serve(ctx, req, rec), nil
}

func (h *Handler) serve(ctx context.Context, req events.APIGatewayV2HTTPRequest, rec *record) events.APIGatewayV2HTTPResponse {
	if rec.method != http.MethodGet && rec.method != http.MethodHead {
		resp := errorResponse(http.StatusMethodNotAllowed, "method not allowed")
		resp.Headers["allow"] = "GET, HEAD"
		return resp
	}
	if !h.verified(req.Headers) {
		rec.err = errors.New("missing or wrong " + contract.OriginVerifyHeader)
		return forbidden()
	}
	path, err := requestPath(req)
	rec.path = path
	if err != nil {
		return h.fail(rec, err)
	}
	key, v, err := contract.ParseKey(path)
	if err != nil {
		return h.fail(rec, err)
	}
	rec.key, rec.variant = key, v.String()

	t := time.Now()
	orig, err := h.openOriginal(ctx, key)
	rec.fetch = time.Since(t)
	if err != nil {
		return h.fail(rec, fmt.Errorf("reading original %q: %w", key, err))
	}
	rec.source, rec.bytesIn = orig.Source, len(orig.Data)
	if orig.Arriving != nil {
		rec.bytesIn = orig.Arriving.Size()
	}
	if !orig.Verified {
		rec.source += "-unverified"
	}

	t = time.Now()
	res, err := h.convert(ctx, orig, v)
	rec.s3Retries = retries(orig)
	if errors.Is(err, converter.ErrArrival) {
		// The body failed or ended short (the SDK retries requests, not
		// bodies): read the original once more, whole, which also asks
		// again which version is current.
		rec.reread = true
		if orig, err = h.originals.GetOriginal(ctx, key, h.limits.MaxSourceBytes); err == nil {
			rec.source, rec.bytesIn = orig.Source, len(orig.Data)
			if !orig.Verified {
				rec.source += "-unverified"
			}
			res, err = h.convert(ctx, orig, v)
			rec.s3Retries += retries(orig)
		}
	}
	rec.convert = time.Since(t)
	if err != nil {
		return h.fail(rec, fmt.Errorf("converting %q to %s: %w", key, v, err))
	}
	rec.timings, rec.bytesOut, rec.format = res.Timings, len(res.Data), res.Format
	rec.colour, rec.frames = res.Colour, res.Frames

	vkey := contract.VariantKey(key, v)
	ctype := res.Format.ContentType()
	if !orig.Verified {
		return h.serveUnverified(rec, res.Data, ctype)
	}
	head := rec.method == http.MethodHead
	if len(res.Data) > h.maxInline && !head {
		// Redirected to the stored object: stored before the answer.
		t = time.Now()
		created, err := h.variants.PutVariant(ctx, vkey, res.Data, ctype, orig.ETag)
		rec.store, rec.stored = time.Since(t), created
		return h.redirectToStored(ctx, rec, vkey, err)
	}
	if a := afterFrom(ctx); a != nil {
		// The host answers first and stores after (see After).
		wctx, cancel := detached(ctx)
		rec.afterResponse, rec.answered = true, time.Since(rec.start)
		a.add(func() {
			defer cancel()
			h.storeVariant(wctx, rec, vkey, res.Data, ctype, orig.ETag)
			h.logRequest(wctx, rec)
		})
		return imageResponse(head, res.Data, ctype, rec.serverTiming())
	}
	h.storeVariant(ctx, rec, vkey, res.Data, ctype, orig.ETag)
	return imageResponse(head, res.Data, ctype, rec.serverTiming())
}

// storeVariant writes the variant to the transformed bucket. A failure is
// the record's error, not the answer's: the image is right, only the cache
// write failed, and the next miss converts again.
func (h *Handler) storeVariant(ctx context.Context, rec *record, vkey string, data []byte, ctype, sourceETag string) {
	t := time.Now()
	created, err := h.variants.PutVariant(ctx, vkey, data, ctype, sourceETag)
	rec.store, rec.stored = time.Since(t), created
	if err != nil {
		rec.err = fmt.Errorf("storing variant %q: %w", vkey, err)
	}
}

// retries counts the requests for orig that S3 left silent and that were
// made again, its arriving body's included (read once the conversion is
// done with it).
func retries(orig store.Original) int {
	n := orig.Retried
	if orig.Arriving != nil {
		n += orig.Arriving.Resumed()
	}
	return n
}

// convert converts the original, while it arrives when it is arriving.
func (h *Handler) convert(ctx context.Context, orig store.Original, v contract.Variant) (*converter.Result, error) {
	cctx, cancel := h.convertContext(ctx)
	defer cancel()
	if orig.Arriving != nil {
		// The body is still arriving: a JPEG is decoded as it comes.
		return converter.ConvertArriving(cctx, orig.Arriving, v, h.limits)
	}
	return converter.ConvertContext(cctx, orig.Data, v, h.limits)
}

// openOriginal reads the original through OpenOriginal when the store can
// hand it over while its body arrives (S3), through GetOriginal otherwise.
func (h *Handler) openOriginal(ctx context.Context, key string) (store.Original, error) {
	if so, ok := h.originals.(store.StreamingOriginals); ok {
		return so.OpenOriginal(ctx, key, h.limits.MaxSourceBytes)
	}
	return h.originals.GetOriginal(ctx, key, h.limits.MaxSourceBytes)
}

// serveUnverified answers a conversion of the replica's copy made while the
// primary could not say which version is current: it may be of an older
// original, so it is neither stored nor cached for long. An output too large
// to return inline has no stored object to redirect to: a 503.
func (h *Handler) serveUnverified(rec *record, data []byte, ctype string) events.APIGatewayV2HTTPResponse {
	if len(data) > h.maxInline && rec.method == http.MethodGet {
		return h.fail(rec, &contract.Error{Status: http.StatusServiceUnavailable, Reason: "the main source bucket cannot be reached"})
	}
	resp := imageResponse(rec.method == http.MethodHead, data, ctype, rec.serverTiming())
	resp.Headers["cache-control"] = unverifiedCacheControl
	return resp
}

// redirectToStored answers an output too large to return inline (a HEAD
// has no body, so it never gets here) with a 302 to the stored object
// itself: a short-lived URL of this region's transformed bucket. Sending the
// viewer back through the CDN instead could loop: the Multi-Region Access
// Point may route the retry to a region replication has not reached, whose
// miss fails over to a converter that converts and redirects again. Without
// a stored copy there is nothing to redirect to: a 500, which is not cached.
func (h *Handler) redirectToStored(ctx context.Context, rec *record, vkey string, storeErr error) events.APIGatewayV2HTTPResponse {
	if storeErr != nil {
		return h.fail(rec, fmt.Errorf("storing oversized variant %q: %w", vkey, storeErr))
	}
	location, err := h.variants.VariantURL(ctx, vkey, h.urlTTL)
	if err != nil {
		return h.fail(rec, fmt.Errorf("linking oversized variant %q: %w", vkey, err))
	}
	return redirect(location)
}

// storeMargin is kept between the end of a conversion and the invocation's
// deadline, to store the variant and answer: a conversion stopped at its
// deadline is still answered (413), not cut off by Lambda.
const storeMargin = contract.ResponseMargin / 2

// convertContext is ctx with its deadline (on Lambda, the invocation's)
// moved storeMargin earlier.
func (h *Handler) convertContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, d.Add(-storeMargin))
	}
	return context.WithCancel(ctx)
}

// Budget is the memory and time budget every conversion is checked against.
func (h *Handler) Budget() contract.Budget { return h.limits.Budget }

// fail turns err into the response its status calls for.
func (h *Handler) fail(rec *record, err error) events.APIGatewayV2HTTPResponse {
	rec.err = err
	status, reason := contract.StatusOf(err)
	return errorResponse(status, reason)
}
