package edge_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

func TestValidateNamesTheField(t *testing.T) {
	if err := edge.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	many := make([]int, edge.MaxWidths+1)
	for i := range many {
		many[i] = i + 1
	}
	for _, c := range []struct {
		name  string
		edit  func(*edge.Config)
		field string
	}{
		{"no widths", func(c *edge.Config) { c.Widths = nil }, "Widths"},
		{"descending widths", func(c *edge.Config) { c.Widths = []int{640, 320} }, "Widths"},
		{"repeated width", func(c *edge.Config) { c.Widths = []int{320, 320} }, "Widths"},
		{"zero width", func(c *edge.Config) { c.Widths = []int{0, 320} }, "Widths"},
		{"width above WebP's limit", func(c *edge.Config) { c.Widths = []int{16384} }, "Widths"},
		{"too many widths", func(c *edge.Config) { c.Widths = many }, "Widths"},
		{"no qualities", func(c *edge.Config) { c.Qualities = []int{} }, "Qualities"},
		{"quality 101", func(c *edge.Config) { c.Qualities = []int{75, 101} }, "Qualities"},
		{"unsorted qualities", func(c *edge.Config) { c.Qualities = []int{80, 75} }, "Qualities"},
		{"default not allowed", func(c *edge.Config) { c.DefaultQuality = 70 }, "DefaultQuality"},
	} {
		cfg := edge.DefaultConfig()
		c.edit(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: got %v, want an error naming %s", c.name, err, c.field)
		}
		if _, rerr := edge.Render(cfg); rerr == nil {
			t.Errorf("%s: Render accepted an invalid config", c.name)
		}
	}
}

// largest is the largest configuration Validate allows, with every switch on.
func largest() edge.Config {
	c := edge.Config{DefaultQuality: 100, Signing: true, AVIF: true}
	for i := range edge.MaxWidths {
		c.Widths = append(c.Widths, 16383-edge.MaxWidths+1+i)
	}
	for q := 1; q <= edge.MaxQualities; q++ {
		c.Qualities = append(c.Qualities, q)
	}
	for i := range edge.MaxAspectRatios {
		c.AspectRatios = append(c.AspectRatios, edge.AspectRatio{W: edge.MaxAspectTerm, H: edge.MaxAspectTerm - 1 - i})
	}
	return c
}

func TestRenderedCodeFitsCloudFront(t *testing.T) {
	code, err := edge.Render(largest())
	if err != nil {
		t.Fatalf("Render(largest): %v", err)
	}
	if len(code) >= edge.MaxCodeBytes {
		t.Fatalf("largest config renders %d bytes, CloudFront allows %d", len(code), edge.MaxCodeBytes)
	}
	t.Logf("largest config: %d bytes of %d", len(code), edge.MaxCodeBytes)
	if _, err := cfrun.New(code, nil); err != nil {
		t.Fatalf("largest config does not load: %v", err)
	}
}

// TestRenderKeepsTheTemplate: the deployed bytes are rewrite.js with only the
// configuration filled in, its comment lines left out and, without signing,
// the two import lines too.
func TestRenderKeepsTheTemplate(t *testing.T) {
	source, err := os.ReadFile("rewrite.js")
	if err != nil {
		t.Fatal(err)
	}
	var template []byte
	comments := 0
	for line := range bytes.Lines(source) {
		if bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("//")) {
			comments++
			continue
		}
		template = append(template, line...)
	}
	if comments < 20 {
		t.Fatalf("rewrite.js has %d comment lines: is the stripping rule still right?", comments)
	}
	head, tail, ok := bytes.Cut(template, []byte("__IMGCELLS_CONFIG__"))
	if !ok {
		t.Fatal("rewrite.js has no config placeholder")
	}
	imports := "import crypto from 'crypto';\nimport cf from 'cloudfront';\n"
	for _, signing := range []bool{false, true} {
		cfg := edge.DefaultConfig()
		cfg.Signing = signing
		code, err := edge.Render(cfg)
		if err != nil {
			t.Fatal(err)
		}
		wantHead := head
		if !signing {
			wantHead = bytes.TrimPrefix(head, []byte(imports))
		}
		if !bytes.HasPrefix(code, wantHead) || !bytes.HasSuffix(code, tail) {
			t.Errorf("signing=%v: rendered code differs from rewrite.js outside the config", signing)
		}
		if got := bytes.Contains(code, []byte("import ")); got != signing {
			t.Errorf("signing=%v: code has import lines: %v", signing, got)
		}
		again, _ := edge.Render(cfg)
		if !bytes.Equal(code, again) {
			t.Errorf("signing=%v: Render is not deterministic", signing)
		}
	}
}

// TestConservativeJavaScript guards against syntax newer than what
// cloudfront-js-2.0 documents (ES 5.1 plus let/const, arrow functions,
// template literals, async/await; no for-of, classes, spread, ?. or ??).
func TestConservativeJavaScript(t *testing.T) {
	code, err := os.ReadFile("rewrite.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{`for\s*\([^;)]*\bof\b`, `\bclass\s`, `\.\.\.`, `\?\.`, `\?\?`, `\brequire\(`, `\bexport\s`, `Promise\.all`, `\.then\(`} {
		if loc := regexp.MustCompile(banned).FindIndex(code); loc != nil {
			t.Errorf("rewrite.js uses %s: %q", banned, code[loc[0]:loc[1]])
		}
	}
}
