package contract

import (
	"strconv"
	"strings"
)

// Format is an output image format named in a variant key.
type Format string

const (
	// FormatWebP is lossy WebP: its variants take a quality.
	FormatWebP Format = "webp"
	// FormatJPEG is JPEG: its variants take a quality, and an image with
	// transparency is encoded as PNG instead.
	FormatJPEG Format = "jpeg"
	// FormatPNG is lossless PNG: its variants take no quality.
	FormatPNG Format = "png"
	// FormatAVIF is lossy AVIF (AV1 still image): its variants take a
	// quality on the same 1–100 scale as webp's, and keep transparency.
	FormatAVIF Format = "avif"
)

// ContentType is the MIME type stored with and served for the format.
func (f Format) ContentType() string {
	switch f {
	case FormatWebP:
		return "image/webp"
	case FormatJPEG:
		return "image/jpeg"
	case FormatPNG:
		return "image/png"
	case FormatAVIF:
		return "image/avif"
	}
	return "application/octet-stream"
}

// Fit says how width and height together constrain the output.
type Fit uint8

const (
	// FitInside (the default) scales to fit within width×height, keeps the
	// aspect ratio and never enlarges. It is never written in a key.
	FitInside Fit = iota
	// FitCover scales to cover width×height and crops the centre; it needs
	// both width and height. It never enlarges either.
	FitCover
)

func (f Fit) String() string {
	if f == FitCover {
		return "cover"
	}
	return "inside"
}

// MaxDimension is the largest width or height a key may name (WebP's limit).
const MaxDimension = 16383

// Variant is one rendition of an original. Its canonical text form is
// format=F[,quality=Q][,width=W][,height=H][,fit=cover]: keys in that fixed
// order, decimal numbers without sign or leading zeros, quality present for
// the lossy formats (avif, webp, jpeg) and absent for png, fit written only when it
// is cover, which needs both width and height. Every other spelling of the
// same variant is refused, so one image never gets two keys.
type Variant struct {
	Format  Format
	Quality int // 1–100 for avif, webp and jpeg; 0 for png
	Width   int // 0: unconstrained
	Height  int // 0: unconstrained
	Fit     Fit
}

// lossy reports whether the format takes a quality.
func (f Format) lossy() bool { return f == FormatWebP || f == FormatJPEG || f == FormatAVIF }

// Validate checks the variant's fields against the grammar.
func (v Variant) Validate() error {
	switch v.Format {
	case FormatWebP, FormatJPEG, FormatPNG, FormatAVIF:
	case "":
		return BadVariant("format is required")
	default:
		return BadVariant("format %q is not one of avif, webp, jpeg, png", string(v.Format))
	}
	if v.Format.lossy() {
		if v.Quality < 1 || v.Quality > 100 {
			return BadVariant("quality must be 1-100 for %s", v.Format)
		}
	} else if v.Quality != 0 {
		return BadVariant("quality is not used with %s", v.Format)
	}
	if v.Width < 0 || v.Width > MaxDimension {
		return BadVariant("width must be 1-%d", MaxDimension)
	}
	if v.Height < 0 || v.Height > MaxDimension {
		return BadVariant("height must be 1-%d", MaxDimension)
	}
	switch v.Fit {
	case FitInside:
	case FitCover:
		if v.Width == 0 || v.Height == 0 {
			return BadVariant("fit=cover needs both width and height")
		}
	default:
		return BadVariant("unknown fit")
	}
	return nil
}

// String is the canonical ops text of a valid variant.
func (v Variant) String() string {
	var b strings.Builder
	b.WriteString("format=")
	b.WriteString(string(v.Format))
	if v.Quality != 0 {
		b.WriteString(",quality=")
		b.WriteString(strconv.Itoa(v.Quality))
	}
	if v.Width != 0 {
		b.WriteString(",width=")
		b.WriteString(strconv.Itoa(v.Width))
	}
	if v.Height != 0 {
		b.WriteString(",height=")
		b.WriteString(strconv.Itoa(v.Height))
	}
	if v.Fit == FitCover {
		b.WriteString(",fit=cover")
	}
	return b.String()
}

// opOrder is the fixed order of keys in canonical ops.
var opOrder = [...]string{"format", "quality", "width", "height", "fit"}

// ParseOps parses canonical ops text. Anything that is not exactly what
// String would write for a valid variant is an error that says why.
func ParseOps(ops string) (Variant, error) {
	var v Variant
	if ops == "" {
		return v, BadVariant("empty variant")
	}
	next := 0 // index into opOrder of the next key allowed
	for part := range strings.SplitSeq(ops, ",") {
		name, value, ok := strings.Cut(part, "=")
		if !ok || name == "" || value == "" {
			return v, BadVariant("%q is not name=value", part)
		}
		i := opIndex(name)
		if i < 0 {
			return v, BadVariant("unknown parameter %q", name)
		}
		if i < next {
			return v, BadVariant("parameter %q is repeated or out of order (order is format,quality,width,height,fit)", name)
		}
		next = i + 1
		switch name {
		case "format":
			v.Format = Format(value)
		case "fit":
			if value != "cover" {
				return v, BadVariant("fit must be cover or omitted (inside is the default)")
			}
			v.Fit = FitCover
		default:
			n, err := canonicalInt(value)
			if err != nil {
				return v, BadVariant("%s: %v", name, err)
			}
			switch name {
			case "quality":
				v.Quality = n
			case "width":
				v.Width = n
			case "height":
				v.Height = n
			}
		}
	}
	if v.Format == "" {
		return v, BadVariant("format is required and comes first")
	}
	if err := v.Validate(); err != nil {
		return v, err
	}
	if v.Format.lossy() && v.Quality == 0 {
		return v, BadVariant("quality is required for %s", v.Format)
	}
	return v, nil
}

func opIndex(name string) int {
	for i, n := range opOrder {
		if n == name {
			return i
		}
	}
	return -1
}

// canonicalInt accepts 1–99999 written without sign, spaces or leading zeros.
func canonicalInt(s string) (int, error) {
	if len(s) > 5 {
		return 0, errNotCanonicalInt
	}
	n := 0
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' || (i == 0 && c == '0') {
			return 0, errNotCanonicalInt
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

type constError string

func (e constError) Error() string { return string(e) }

const errNotCanonicalInt = constError("must be a positive whole number without leading zeros")
