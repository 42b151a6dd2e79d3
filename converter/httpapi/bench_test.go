package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"imgcells/contract"
	"imgcells/converter/httpapi"
	"imgcells/converter/store"
)

// BenchmarkHandleMiss measures one failover request through the adapter:
// parse, fetch (in memory), convert photo.jpg (480x270) to WebP at width
// 240, store, base64-encode. Each iteration stores a fresh key set, so every
// request is a miss as on Lambda.
func BenchmarkHandleMiss(b *testing.B) {
	for _, bc := range []struct{ name, ops string }{
		{"webp-240", "format=webp,quality=75,width=240"},
		{"jpeg-480", "format=jpeg,quality=80,width=480"},
		{"png-240", "format=png,width=240"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			jpeg := photo(b, "photo.jpg")
			mem := store.NewMemory()
			mem.PutReplica("products/photo.jpg", jpeg)
			h, err := httpapi.New(httpapi.Config{
				Originals: mem, Variants: discard{}, OriginVerifySecret: secret,
				Logger: slog.New(slog.DiscardHandler),
			})
			if err != nil {
				b.Fatal(err)
			}
			e := benchEvent("/products/photo.jpg/" + bc.ops)
			b.ReportAllocs()
			for b.Loop() {
				resp, _ := h.Handle(context.Background(), e)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
				}
			}
		})
	}
}

// discard is a Variants that accepts every write, so the benchmark measures
// the adapter and conversion, not a growing map.
type discard struct{}

func (discard) PutVariant(context.Context, string, []byte, string, string) (bool, error) {
	return true, nil
}

func (discard) VariantURL(_ context.Context, key string, _ time.Duration) (string, error) {
	return "https://discard.invalid/" + key, nil
}

func benchEvent(path string) events.APIGatewayV2HTTPRequest {
	req, _ := http.NewRequest(http.MethodGet, "https://api.example"+path, nil)
	req.Header.Set(contract.OriginVerifyHeader, secret)
	return httpapi.EventFromHTTP(req)
}
