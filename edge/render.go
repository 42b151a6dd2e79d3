package edge

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// template is rewrite.js as committed: the deployed code, except for the
// configuration placeholder, its comment lines and, when signing is off, the
// two import lines.
//
//go:embed rewrite.js
var template []byte

// MaxCodeBytes is CloudFront's limit on a function's code size.
const MaxCodeBytes = 10 * 1024

const placeholder = "__IMGCELLS_CONFIG__"

// commentLine is a line holding only a // comment. Render leaves such lines
// out, so rewrite.js explains itself at no cost to the 10 KB; no string in it
// spans lines (it has no template literal), so no line of a string is taken.
var commentLine = regexp.MustCompile(`(?m)^[ \t]*//.*\n`)

// importLines are the module imports that only signing uses. Without signing
// no KeyValueStore is associated with the function, so they are left out.
var importLines = [][]byte{
	[]byte("import crypto from 'crypto';\n"),
	[]byte("import cf from 'cloudfront';\n"),
}

// renderedConfig is the JSON shape rewrite.js reads as CONFIG.
type renderedConfig struct {
	Widths         []int         `json:"widths"`
	AspectRatios   []AspectRatio `json:"ratios"`
	Qualities      []int         `json:"qualities"`
	DefaultQuality int           `json:"defaultQuality"`
	Signing        bool          `json:"signing"`
	AVIF           bool          `json:"avif"`
}

// Render returns the exact bytes deployed as the CloudFront Function's code
// (runtime cloudfront-js-2.0) for the configuration: rewrite.js without its
// comment lines, CONFIG filled in.
func Render(c Config) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("rendering edge function: %w", err)
	}
	if bytes.Count(template, []byte(placeholder)) != 1 {
		return nil, fmt.Errorf("rendering edge function: rewrite.js must contain %s exactly once", placeholder)
	}
	cfg, err := json.Marshal(renderedConfig(c))
	if err != nil {
		return nil, fmt.Errorf("rendering edge function config: %w", err)
	}
	if bytes.IndexByte(template, '`') >= 0 {
		return nil, errors.New("rendering edge function: rewrite.js must not use template literals (comment lines are stripped)")
	}
	code := commentLine.ReplaceAll(template, nil)
	code = bytes.Replace(code, []byte(placeholder), cfg, 1)
	if !c.Signing {
		for _, line := range importLines {
			if !bytes.HasPrefix(code, line) {
				return nil, fmt.Errorf("rendering edge function: rewrite.js must start with %q", line)
			}
			code = code[len(line):]
		}
	}
	if len(code) > MaxCodeBytes {
		return nil, fmt.Errorf("rendering edge function: code is %d bytes, CloudFront allows %d", len(code), MaxCodeBytes)
	}
	return code, nil
}
