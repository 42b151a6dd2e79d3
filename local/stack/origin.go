package stack

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"imgcells/contract"
	"imgcells/converter/httpapi"
	"imgcells/edge/cfrun"
)

// APIHandler is the converter Lambda's handler as API Gateway calls it.
type APIHandler interface {
	Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

// originResult is what the origin group answered for one request.
type originResult struct {
	status   int
	header   http.Header
	body     []byte
	origin   string        // "s3" or "converter"
	failover string        // why the primary was skipped, e.g. "s3 404"
	s3Time   time.Duration // the transformed bucket's answer
	convTime time.Duration // the converter's answer (0 when not called)
}

// originHeaders are the headers of the edge function's rewritten request
// that the origin request policy forwards to the origins
// (contract.OriginRequestHeaders, as components/cdnpolicies.go deploys it):
// x-imgcells-variant, and nothing else from the viewer.
func originHeaders(req *cfrun.Request) http.Header {
	out := http.Header{}
	for _, name := range contract.OriginRequestHeaders() {
		if v, ok := req.Headers[name]; ok {
			out.Set(name, v.Value)
		}
	}
	return out
}

// fetchOrigin runs the origin group of one region: its transformed bucket
// (standing in for the Multi-Region Access Point, which routes to the
// nearest bucket), then on a failover status its converter behind the
// HTTP API adapter. Only GET and HEAD fail over, as in CloudFront.
// forwarded holds what the origin request policy passes (originHeaders).
func (s *Stack) fetchOrigin(ctx context.Context, reg *region, method, uri string, forwarded http.Header) originResult {
	t0 := time.Now()
	res := s.fetchS3(ctx, reg, method, uri)
	res.s3Time = time.Since(t0)
	if !contract.IsFailoverStatus(res.status) || (method != http.MethodGet && method != http.MethodHead) {
		return res
	}
	failover := fmt.Sprintf("s3 %d", res.status)
	t1 := time.Now()
	conv := s.callConverter(ctx, reg, method, uri, forwarded)
	conv.s3Time, conv.convTime, conv.failover = res.s3Time, time.Since(t1), failover
	return conv
}

// fetchS3 reads the variant from the region's transformed bucket over S3.
func (s *Stack) fetchS3(ctx context.Context, reg *region, method, uri string) originResult {
	res := originResult{origin: "s3", header: http.Header{}}
	key, err := url.PathUnescape(strings.TrimPrefix(uri, "/"))
	if err != nil || key == "" {
		res.status = http.StatusBadRequest
		return res
	}
	bucket := s.buckets.Transformed(reg.name)
	if method == http.MethodHead {
		out, err := s.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			res.status = s3Status(err)
			return res
		}
		res.status = http.StatusOK
		setObjectHeaders(res.header, out.ContentType, out.CacheControl, out.ETag, out.LastModified, out.ContentLength)
		return res
	}
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		res.status = s3Status(err)
		return res
	}
	defer out.Body.Close()
	// Room for the whole body and the read that meets EOF: with less,
	// ReadFrom doubles the array, and the edge cache keeps the double.
	buf := bytes.NewBuffer(make([]byte, 0, max(aws.ToInt64(out.ContentLength), 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(out.Body); err != nil {
		res.status = http.StatusBadGateway
		return res
	}
	res.status, res.body = http.StatusOK, buf.Bytes()
	setObjectHeaders(res.header, out.ContentType, out.CacheControl, out.ETag, out.LastModified, aws.Int64(int64(buf.Len())))
	return res
}

func setObjectHeaders(h http.Header, ctype, cacheControl, etag *string, modified *time.Time, length *int64) {
	if v := aws.ToString(ctype); v != "" {
		h.Set("Content-Type", v)
	}
	if v := aws.ToString(cacheControl); v != "" {
		h.Set("Cache-Control", v)
	}
	if v := aws.ToString(etag); v != "" {
		h.Set("ETag", v)
	}
	if modified != nil {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if length != nil {
		h.Set("Content-Length", strconv.FormatInt(*length, 10))
	}
}

// s3Status maps an S3 error to the status CloudFront would see; an
// unreachable bucket is a 502.
func s3Status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		return re.HTTPStatusCode()
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return http.StatusNotFound
		case "AccessDenied":
			return http.StatusForbidden
		}
	}
	return http.StatusBadGateway
}

// callConverter sends the request to the region's converter as API Gateway
// (HTTP API, payload 2.0) would: the path decoded and cut at the first
// decoded "?" or "#" (HTTP APIs do so; the edge's x-imgcells-variant header
// carries the whole key), the origin-verify header
// that only CloudFront knows, the forwarded headers (lower-case names, as API
// Gateway passes them; no Accept: the policy does not forward it), and a
// base64 body back.
func (s *Stack) callConverter(ctx context.Context, reg *region, method, uri string, forwarded http.Header) originResult {
	res := originResult{origin: "converter", header: http.Header{}}
	path, err := url.PathUnescape(uri)
	if err != nil {
		res.status = http.StatusBadRequest
		return res
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	host := "convert." + reg.name + ".imgcells.local"
	req := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "$default",
		RawPath:  path,
		Headers: map[string]string{
			"host":                      host,
			contract.OriginVerifyHeader: s.cfg.OriginVerifySecret,
			"user-agent":                "Amazon CloudFront",
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: host,
			Stage:      "$default",
			RequestID:  strconv.FormatInt(time.Now().UnixNano(), 36),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: "Amazon CloudFront",
			},
		},
	}
	for name, vs := range forwarded {
		req.Headers[strings.ToLower(name)] = strings.Join(vs, ",")
	}
	reg.conversions.Add(1)
	// The Lambda's timeout: past it the function is stopped (nothing more
	// is stored) and API Gateway answers with an error, never the late image.
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConverterTimeout)
	defer cancel()
	actx, after := httpapi.WithAfter(ctx)
	resp, err := reg.converter.Handle(actx, req)
	if ctx.Err() != nil {
		// Lambda stops a timed-out function: nothing is stored after.
		s.logf("converter %s: timed out after %s", reg.name, s.cfg.ConverterTimeout)
		res.status = http.StatusServiceUnavailable
		res.header.Set("Content-Type", "application/json")
		res.body = []byte(`{"message":"Service Unavailable"}`)
		return res
	}
	if err != nil {
		// API Gateway answers a failed invocation with a bare 500.
		s.logf("converter %s: %v", reg.name, err)
		res.status = http.StatusInternalServerError
		res.header.Set("Content-Type", "application/json")
		res.body = []byte(`{"message":"Internal Server Error"}`)
		return res
	}
	// The response goes back now; the store follows, as on Lambda.
	s.after.start(after)
	res.status = resp.StatusCode
	for k, v := range resp.Headers {
		res.header.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			res.header.Add(k, v)
		}
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			s.logf("converter %s: bad base64 body: %v", reg.name, err)
			res.status, body = http.StatusBadGateway, nil
		}
	}
	if method == http.MethodHead {
		body = nil
	}
	res.body = body
	return res
}
