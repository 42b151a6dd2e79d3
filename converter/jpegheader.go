package converter

import (
	"bytes"
	"encoding/binary"

	"imgcells/contract"
)

// maxJPEGScans is the most scans a JPEG may have whatever its size. Real
// encoders write about ten (jpegtran's most thorough progression a few
// dozen); libjpeg-turbo's own tools suggest 500. Below it the cost model
// decides, in proportion to the blocks each scan visits.
const maxJPEGScans = 500

// jpegHeader is what a JPEG's marker segments say, read without decoding:
// the frame and every scan (each is a pass over the blocks of its
// components, which is what makes a progressive file slow).
type jpegHeader struct {
	w, h       int
	comps      []jpegComponent
	sof        byte // the frame's SOFn marker
	arithmetic bool
	scans      []jpegScan
	dataBytes  int // entropy-coded bytes, all scans
	// partial: only the head of the file was read, through its first scan
	// header (the rest is counted in dataBytes).
	partial bool
}

// multiScan reports whether libjpeg decodes through a whole-image
// coefficient buffer: the file has several scans, or, when only its head was
// read, libjpeg's own test on the same headers says it will (a progressive
// frame, or a first scan that leaves out a component).
func (j *jpegHeader) multiScan() bool {
	if len(j.scans) > 1 {
		return true
	}
	return j.partial && (j.sof == 0xC2 || j.sof == 0xCA || len(j.scans[0].comps) < len(j.comps))
}

type jpegComponent struct {
	id   byte
	h, v int // sampling factors
}

type jpegScan struct {
	comps  []int // indices into comps
	dcOnly bool  // a DC scan (spectral selection 0–0)
}

// readJPEGHeader walks every marker segment, skipping entropy-coded data,
// to the end of the image. Processes libjpeg-turbo does not decode
// (lossless, hierarchical, 12-bit) are a 415: the file may be valid, we just
// cannot read it.
func readJPEGHeader(src []byte) (*jpegHeader, error) {
	j := &jpegHeader{}
	i := 2
	for {
		// Markers are 0xFF, any number of 0xFF fill bytes, then the code.
		start := i
		for i < len(src) && src[i] == 0xFF {
			i++
		}
		if i >= len(src) {
			break // truncated: the decoder reports it, if it matters
		}
		if i == start {
			return nil, contract.Corrupt(nil, "JPEG marker expected at byte %d", i)
		}
		m := src[i]
		i++
		switch {
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			continue // standalone markers
		case m == 0xD9:
			return j.done()
		}
		if i+2 > len(src) {
			if j.sof == 0 {
				return nil, contract.Corrupt(nil, "JPEG is truncated in a marker segment")
			}
			break
		}
		n := int(binary.BigEndian.Uint16(src[i : i+2]))
		if n < 2 || i+n > len(src) {
			if j.sof == 0 {
				return nil, contract.Corrupt(nil, "JPEG marker segment has a bad length")
			}
			break
		}
		seg := src[i+2 : i+n]
		i += n
		switch {
		case m == 0xDE: // DHP: a hierarchical image
			return nil, contract.Unsupported("hierarchical JPEG is not supported")
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			if err := j.frame(m, seg); err != nil {
				return nil, err
			}
		case m == 0xDA:
			if err := j.scan(seg); err != nil {
				return nil, err
			}
			end := entropyEnd(src, i)
			j.dataBytes += end - i
			i = end
		}
	}
	return j.done()
}

func (j *jpegHeader) done() (*jpegHeader, error) {
	if j.sof == 0 || len(j.scans) == 0 {
		return nil, contract.Corrupt(nil, "JPEG has no frame header and scan")
	}
	return j, nil
}

func (j *jpegHeader) frame(m byte, seg []byte) error {
	switch m {
	case 0xC3, 0xCB:
		return contract.Unsupported("lossless JPEG is not supported")
	case 0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF:
		return contract.Unsupported("hierarchical JPEG is not supported")
	}
	if j.sof != 0 {
		return contract.Corrupt(nil, "JPEG has two frame headers")
	}
	if len(seg) < 6 {
		return contract.Corrupt(nil, "JPEG frame header is truncated")
	}
	if seg[0] != 8 {
		return contract.Unsupported("%d-bit JPEG is not supported", seg[0])
	}
	j.sof, j.arithmetic = m, m >= 0xC8
	j.h = int(binary.BigEndian.Uint16(seg[1:3]))
	j.w = int(binary.BigEndian.Uint16(seg[3:5]))
	nf := int(seg[5])
	if nf == 0 || len(seg) < 6+3*nf {
		return contract.Corrupt(nil, "JPEG frame header is truncated")
	}
	for k := range nf {
		c := seg[6+3*k:]
		h, v := int(c[1]>>4), int(c[1]&15)
		if h < 1 || h > 4 || v < 1 || v > 4 {
			return contract.Corrupt(nil, "JPEG component has sampling factors %dx%d", h, v)
		}
		j.comps = append(j.comps, jpegComponent{id: c[0], h: h, v: v})
	}
	return nil
}

func (j *jpegHeader) scan(seg []byte) error {
	if j.sof == 0 {
		return contract.Corrupt(nil, "JPEG has no frame header before its scan")
	}
	if len(j.scans) >= maxJPEGScans {
		return contract.TooLarge("JPEG has more than %d scans", maxJPEGScans)
	}
	if len(seg) < 1 || len(seg) < 1+2*int(seg[0])+3 || seg[0] == 0 {
		return contract.Corrupt(nil, "JPEG scan header is truncated")
	}
	ns := int(seg[0])
	s := jpegScan{dcOnly: seg[1+2*ns+1] == 0}
	for k := range ns {
		id := seg[1+2*k]
		idx := -1
		for c := range j.comps {
			if j.comps[c].id == id {
				idx = c
			}
		}
		if idx < 0 {
			return contract.Corrupt(nil, "JPEG scan names an unknown component")
		}
		s.comps = append(s.comps, idx)
	}
	j.scans = append(j.scans, s)
	return nil
}

// entropyEnd is where the entropy-coded data starting at i ends: the next
// marker that is neither a stuffed 0xFF00 nor a restart marker.
func entropyEnd(src []byte, i int) int {
	for {
		k := bytes.IndexByte(src[i:], 0xFF)
		if k < 0 {
			return len(src)
		}
		i += k
		if i+1 >= len(src) {
			return len(src)
		}
		if c := src[i+1]; c != 0 && (c < 0xD0 || c > 0xD7) && c != 0xFF {
			return i
		}
		i++
	}
}

// maxSampling is the largest horizontal and vertical sampling factors.
func (j *jpegHeader) maxSampling() (int, int) {
	h, v := 1, 1
	for _, c := range j.comps {
		h, v = max(h, c.h), max(v, c.v)
	}
	return h, v
}

// blocks is the number of 8×8 blocks of component c that libjpeg stores:
// its own size in blocks, padded to whole MCUs.
func (j *jpegHeader) blocks(c int) int64 {
	hm, vm := j.maxSampling()
	comp := j.comps[c]
	mcuW, mcuH := ceilDiv(j.w, 8*hm), ceilDiv(j.h, 8*vm)
	return int64(mcuW*comp.h) * int64(mcuH*comp.v)
}

// blockVisits is the total number of blocks the entropy decoder visits,
// over every scan.
func (j *jpegHeader) blockVisits() (dc, ac int64) {
	for _, s := range j.scans {
		var n int64
		for _, c := range s.comps {
			n += j.blocks(c)
		}
		if s.dcOnly {
			dc += n
		} else {
			ac += n
		}
	}
	return dc, ac
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
