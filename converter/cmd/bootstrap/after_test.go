package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"imgcells/converter/httpapi"
	"imgcells/converter/store"
)

// Without the extension (it could not register) the wrapper is the plain
// handler: the variant is stored before the answer, as nothing would keep
// the invocation open for it afterwards.
func TestWithoutTheExtensionTheVariantIsStoredFirst(t *testing.T) {
	photo, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "photos", "photo.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "httpapi", "testdata", "get.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	const secret = "test-origin-verify-secret-0123456789"
	ev.Headers["x-origin-verify"] = secret
	mem := store.NewMemory()
	mem.PutReplica("products/photo.jpg", photo)
	h, err := httpapi.New(httpapi.Config{Originals: mem, Variants: mem, OriginVerifySecret: secret, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := afterResponse(h, nil)(context.Background(), ev)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, err %v", resp.StatusCode, err)
	}
	if _, ok := mem.Variant("products/photo.jpg/format=webp,quality=75,width=240"); !ok {
		t.Error("the answer came before the variant was stored, with nothing to store it after")
	}
}
