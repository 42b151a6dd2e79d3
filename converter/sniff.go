package converter

import (
	"bytes"

	"imgcells/contract"
)

// sourceKind is an input format the converter decodes.
type sourceKind uint8

const (
	kindJPEG sourceKind = iota + 1
	kindPNG
	kindGIF
	kindWebP
)

func (k sourceKind) String() string {
	switch k {
	case kindJPEG:
		return "jpeg"
	case kindPNG:
		return "png"
	case kindGIF:
		return "gif"
	case kindWebP:
		return "webp"
	}
	return "unknown"
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// sniff names the source's format from its magic bytes. Anything that is not
// one of the decoded formats (SVG, text, empty, AVIF, ...) is a 415.
func sniff(src []byte) (sourceKind, error) {
	switch {
	case len(src) == 0:
		return 0, contract.Unsupported("empty source")
	case len(src) >= 3 && src[0] == 0xFF && src[1] == 0xD8 && src[2] == 0xFF:
		return kindJPEG, nil
	case bytes.HasPrefix(src, pngSignature):
		return kindPNG, nil
	case bytes.HasPrefix(src, []byte("GIF87a")), bytes.HasPrefix(src, []byte("GIF89a")):
		return kindGIF, nil
	case len(src) >= 12 && string(src[0:4]) == "RIFF" && string(src[8:12]) == "WEBP":
		return kindWebP, nil
	}
	return 0, contract.Unsupported("source is not a JPEG, PNG, GIF or WebP image")
}
