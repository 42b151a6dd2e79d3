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
	// converter.DefaultLimits().
	Limits converter.Limits
	// Logger receives one line per request; nil means slog.Default().
	Logger *slog.Logger
	// MaxInlineBytes overrides contract.MaxInlineBytes when positive.
	MaxInlineBytes int
}

// Handler serves variant requests. It is safe for concurrent use.
type Handler struct {
	originals store.Originals
	variants  store.Variants
	secret    []byte
	limits    converter.Limits
	log       *slog.Logger
	maxInline int
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
		log: cfg.Logger, maxInline: cfg.MaxInlineBytes,
	}
	if h.limits == (converter.Limits{}) {
		h.limits = converter.DefaultLimits()
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.maxInline <= 0 {
		h.maxInline = contract.MaxInlineBytes
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
	orig, err := h.originals.GetOriginal(ctx, key, h.limits.MaxSourceBytes)
	rec.fetch = time.Since(t)
	if err != nil {
		return h.fail(rec, fmt.Errorf("reading original %q: %w", key, err))
	}
	rec.source, rec.bytesIn = orig.Source, len(orig.Data)

	t = time.Now()
	res, err := converter.Convert(orig.Data, v, h.limits)
	rec.convert = time.Since(t)
	if err != nil {
		return h.fail(rec, fmt.Errorf("converting %q to %s: %w", key, v, err))
	}
	rec.timings, rec.bytesOut = res.Timings, len(res.Data)

	vkey := contract.VariantKey(key, v)
	ctype := res.Format.ContentType()
	t = time.Now()
	created, err := h.variants.PutVariant(ctx, vkey, res.Data, ctype)
	rec.store, rec.stored = time.Since(t), created
	if len(res.Data) > h.maxInline {
		if err != nil {
			// Without the stored copy a redirect would loop.
			return h.fail(rec, fmt.Errorf("storing oversized variant %q: %w", vkey, err))
		}
		return redirect(redirectTarget(req, key, v))
	}
	if err != nil {
		// The image is right; only the cache write failed. Serve it and
		// let the next miss convert again.
		rec.err = fmt.Errorf("storing variant %q: %w", vkey, err)
	}
	return imageResponse(rec.method == http.MethodHead, res.Data, ctype, rec.serverTiming())
}

// fail turns err into the response its status calls for.
func (h *Handler) fail(rec *record, err error) events.APIGatewayV2HTTPResponse {
	rec.err = err
	status, reason := contract.StatusOf(err)
	return errorResponse(status, reason)
}
