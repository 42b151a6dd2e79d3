package contract

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

type vectorVariant struct {
	Format  string `json:"format"`
	Quality int    `json:"quality"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Fit     string `json:"fit"`
}

type vectors struct {
	Canonical []struct {
		Ops     string        `json:"ops"`
		Variant vectorVariant `json:"variant"`
	} `json:"canonical"`
	Refused []struct {
		Ops string `json:"ops"`
		Why string `json:"why"`
	} `json:"refused"`
	Paths []struct {
		Path    string `json:"path"`
		Key     string `json:"key"`
		Ops     string `json:"ops"`
		Refused string `json:"refused"`
	} `json:"paths"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "variants.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("variants.json: %v", err)
	}
	if len(v.Canonical) == 0 || len(v.Refused) == 0 || len(v.Paths) == 0 {
		t.Fatal("variants.json has an empty section")
	}
	return v
}

func TestCanonicalVectorsRoundTrip(t *testing.T) {
	for _, c := range loadVectors(t).Canonical {
		got, err := ParseOps(c.Ops)
		if err != nil {
			t.Errorf("ParseOps(%q): %v", c.Ops, err)
			continue
		}
		want := vectorVariant{string(got.Format), got.Quality, got.Width, got.Height, got.Fit.String()}
		if want != c.Variant {
			t.Errorf("ParseOps(%q) = %+v, vector says %+v", c.Ops, want, c.Variant)
		}
		if s := got.String(); s != c.Ops {
			t.Errorf("String(ParseOps(%q)) = %q", c.Ops, s)
		}
	}
}

func TestRefusedVectors(t *testing.T) {
	for _, c := range loadVectors(t).Refused {
		_, err := ParseOps(c.Ops)
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Reason == "" {
			t.Errorf("ParseOps(%q) (%s) = %v, want a 400 with a reason", c.Ops, c.Why, err)
		}
	}
}

func TestPathVectors(t *testing.T) {
	for _, c := range loadVectors(t).Paths {
		key, v, err := ParseKey(c.Path)
		if c.Refused != "" {
			if status, _ := StatusOf(err); status != http.StatusBadRequest {
				t.Errorf("ParseKey(%q) (%s): status %d, err %v; want 400", c.Path, c.Refused, status, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseKey(%q): %v", c.Path, err)
			continue
		}
		if key != c.Key || v.String() != c.Ops {
			t.Errorf("ParseKey(%q) = %q, %q; want %q, %q", c.Path, key, v, c.Key, c.Ops)
		}
		if got := "/" + VariantKey(key, v); got != c.Path {
			t.Errorf("VariantKey round trip: %q, want %q", got, c.Path)
		}
	}
}

func TestStatusOfInternalErrorHidesDetail(t *testing.T) {
	status, reason := StatusOf(errors.New("dial tcp 10.0.0.1: secret detail"))
	if status != http.StatusInternalServerError || reason != "internal error" {
		t.Fatalf("got %d %q", status, reason)
	}
}

// FuzzParseOps checks that whatever ParseOps accepts is canonical: it
// formats back to the very same text, and the formatted text parses again.
func FuzzParseOps(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.Canonical {
		f.Add(c.Ops)
	}
	for _, c := range v.Refused {
		f.Add(c.Ops)
	}
	f.Fuzz(func(t *testing.T, ops string) {
		v, err := ParseOps(ops)
		if err != nil {
			if status, reason := StatusOf(err); status != http.StatusBadRequest || reason == "" {
				t.Fatalf("ParseOps(%q) error %v is not a 400 with a reason", ops, err)
			}
			return
		}
		if s := v.String(); s != ops {
			t.Fatalf("accepted non-canonical %q (canonical %q)", ops, s)
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("accepted %q but Validate says %v", ops, err)
		}
	})
}

// FuzzParseKey checks that every accepted path maps back to itself.
func FuzzParseKey(f *testing.F) {
	for _, c := range loadVectors(f).Paths {
		f.Add(c.Path)
	}
	f.Fuzz(func(t *testing.T, path string) {
		key, v, err := ParseKey(path)
		if err != nil {
			return
		}
		if got := VariantKey(key, v); "/"+got != path && got != path {
			t.Fatalf("ParseKey(%q) formats back to %q", path, got)
		}
	})
}
