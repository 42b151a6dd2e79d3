package edge_test

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"
)

// SigningVectors is the "signing" section of testdata/variants.json.
type SigningVectors struct {
	Secret string `json:"secret"`
	Now    int64  `json:"now"`
	Signed []struct {
		Key     string     `json:"key"`
		Params  url.Values `json:"params"`
		Exp     int64      `json:"exp"` // 0: no expiry
		Message string     `json:"message"`
		Target  string     `json:"target"`
	} `json:"signed"`
	Requests []struct {
		Name   string `json:"name"`
		Target string `json:"target"`
		Status int    `json:"status"`
		URI    string `json:"uri"`
	} `json:"requests"`
}

// readVectorFile decodes testdata/variants.json into v.
func readVectorFile(t testing.TB, v any) {
	t.Helper()
	raw, err := os.ReadFile("../testdata/variants.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("variants.json: %v", err)
	}
}

func signingVectors(t testing.TB) SigningVectors {
	t.Helper()
	var file struct {
		Signing SigningVectors `json:"signing"`
	}
	readVectorFile(t, &file)
	if len(file.Signing.Signed) == 0 || len(file.Signing.Requests) == 0 {
		t.Fatal("variants.json has no signing vectors")
	}
	return file.Signing
}
