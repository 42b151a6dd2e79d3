// Package icc finds the colour description embedded in an image (an ICC
// profile in JPEG APP2, PNG iCCP or WebP ICCP chunks; PNG's sRGB, gAMA and
// cHRM chunks) and checks a profile's structure before anything parses it
// further. It is pure Go and does no colour maths: the converter hands a
// profile that passes Check to Little CMS (internal/lcms).
package icc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MaxSize bounds an embedded profile. Matrix-shaper profiles (sRGB, Display
// P3, Adobe RGB, ProPhoto) are 0.5–4 KB; the press CMYK profiles images
// carry are up to about 2 MB. A larger one is ignored, as is anything
// inflating past it.
const MaxSize = 4 << 20

// maxTags is Little CMS's own limit on a profile's tag count (MAX_TABLE_TAG).
const maxTags = 100

// Space is the colour space a profile describes device values in.
type Space string

// The spaces the converter transforms from.
const (
	RGB  Space = "RGB "
	Gray Space = "GRAY"
	CMYK Space = "CMYK"
)

// Profile is a profile that passed Check.
type Profile struct {
	Data  []byte // the profile, cut to its declared size
	Space Space
	Class string // device class: scnr, mntr, prtr or spac
}

// ErrInvalid wraps every reason Check refuses a profile.
var ErrInvalid = errors.New("invalid ICC profile")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Check validates a profile's header, its tag table and the sizes its lookup
// tables claim, so that nothing downstream reads past the profile or
// allocates what a few bytes of header ask for (a "LUT bomb": a small tag
// claiming a colour lookup table of millions of grid points).
func Check(b []byte) (Profile, error) {
	if len(b) < 132 {
		return Profile{}, invalid("%d bytes, shorter than a header and tag count", len(b))
	}
	if len(b) > MaxSize {
		return Profile{}, invalid("%d bytes, more than the %d accepted", len(b), MaxSize)
	}
	size := binary.BigEndian.Uint32(b[0:4])
	if size < 132 || uint64(size) > uint64(len(b)) {
		return Profile{}, invalid("header says %d bytes, the data has %d", size, len(b))
	}
	b = b[:size]
	if string(b[36:40]) != "acsp" {
		return Profile{}, invalid("no 'acsp' signature")
	}
	if v := b[8]; v != 2 && v != 4 {
		return Profile{}, invalid("version %d.%d is not supported", v, b[9]>>4)
	}
	class := string(b[12:16])
	switch class {
	case "scnr", "mntr", "prtr", "spac":
	default:
		return Profile{}, invalid("device class %q cannot describe an image", class)
	}
	space := Space(b[16:20])
	switch space {
	case RGB, Gray, CMYK:
	default:
		return Profile{}, invalid("colour space %q is not supported", string(space))
	}
	if pcs := string(b[20:24]); pcs != "XYZ " && pcs != "Lab " {
		return Profile{}, invalid("connection space %q is not XYZ or Lab", pcs)
	}
	n := binary.BigEndian.Uint32(b[128:132])
	if n > maxTags || 132+12*uint64(n) > uint64(size) {
		return Profile{}, invalid("%d tags do not fit the profile", n)
	}
	for i := range int(n) {
		e := b[132+12*i:]
		sig := string(e[0:4])
		off, sz := uint64(binary.BigEndian.Uint32(e[4:8])), uint64(binary.BigEndian.Uint32(e[8:12]))
		if off < 132+12*uint64(n) || sz < 8 || off+sz > uint64(size) {
			return Profile{}, invalid("tag %q at %d, %d bytes, lies outside the profile", sig, off, sz)
		}
		if err := checkTag(b[off : off+sz]); err != nil {
			return Profile{}, fmt.Errorf("tag %q: %w", sig, err)
		}
	}
	return Profile{Data: b, Space: space, Class: class}, nil
}

// Channels is the number of device channels of the space.
func (s Space) Channels() int {
	switch s {
	case Gray:
		return 1
	case CMYK:
		return 4
	}
	return 3
}
