package avif

import (
	"errors"
	"fmt"
)

// OBU types (AV1 specification, 6.2.2).
const (
	obuSequenceHeader     = 1
	obuTemporalDelimiter  = 2
	obuPadding            = 15
	obuTypeShift          = 3
	obuExtensionFlag      = 0x04
	obuHasSizeField       = 0x02
	obuForbiddenBitOrType = 0x80
)

// seqHeader is what the AV1 item configuration property (av1C) repeats
// from the sequence header OBU, plus the colour fields the tests check.
type seqHeader struct {
	profile, level, tier          int
	stillPicture, reducedStill    bool
	highBitdepth, twelveBit, mono bool
	subX, subY                    bool
	chromaSamplePosition          int
	primaries, transfer, matrix   int
	fullRange                     bool
	maxWidth, maxHeight           int
	colourDescriptionPresent      bool
}

// itemData turns the temporal unit libaom wrote into AV1 Image Item Data:
// the same OBUs without temporal delimiters and padding, which
// AV1-ISOBMFF (2.4, AV1 Sample Format) says should not be used in samples.
// It also returns the parsed sequence header, which must appear exactly
// once (AVIF 2.1).
func itemData(tu []byte) ([]byte, seqHeader, error) {
	var sh seqHeader
	seen := 0
	out := make([]byte, 0, len(tu))
	for p := 0; p < len(tu); {
		hdr := tu[p]
		if hdr&obuForbiddenBitOrType != 0 {
			return nil, sh, errors.New("OBU forbidden bit set")
		}
		if hdr&obuHasSizeField == 0 {
			return nil, sh, errors.New("OBU without a size field")
		}
		typ := int(hdr>>obuTypeShift) & 0xF
		hlen := 1
		if hdr&obuExtensionFlag != 0 {
			hlen = 2
		}
		if p+hlen > len(tu) {
			return nil, sh, errors.New("truncated OBU header")
		}
		size, n, err := leb128(tu[p+hlen:])
		if err != nil {
			return nil, sh, err
		}
		start := p + hlen + n
		if size > uint64(len(tu)-start) {
			return nil, sh, fmt.Errorf("OBU of %d bytes overruns the %d left", size, len(tu)-start)
		}
		end := start + int(size)
		switch typ {
		case obuTemporalDelimiter, obuPadding:
		case obuSequenceHeader:
			seen++
			if sh, err = parseSeqHeader(tu[start:end]); err != nil {
				return nil, sh, fmt.Errorf("sequence header: %w", err)
			}
			out = append(out, tu[p:end]...)
		default:
			out = append(out, tu[p:end]...)
		}
		p = end
	}
	if seen != 1 {
		return nil, sh, fmt.Errorf("%d sequence headers, want 1", seen)
	}
	return out, sh, nil
}

// leb128 reads an unsigned LEB128 number (AV1 4.10.5) of at most 8 bytes.
func leb128(b []byte) (uint64, int, error) {
	var v uint64
	for i := range 8 {
		if i >= len(b) {
			return 0, 0, errors.New("truncated leb128")
		}
		v |= uint64(b[i]&0x7F) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("leb128 longer than 8 bytes")
}

// bits reads big-endian bit fields, f(n) in the AV1 specification.
type bits struct {
	b   []byte
	pos int // in bits
	err error
}

func (r *bits) f(n int) int {
	v := 0
	for range n {
		if r.pos >= 8*len(r.b) {
			r.err = errors.New("truncated")
			return 0
		}
		v = v<<1 | int(r.b[r.pos/8]>>(7-r.pos%8))&1
		r.pos++
	}
	return v
}

func (r *bits) flag() bool { return r.f(1) == 1 }

// uvlc skips a variable-length unsigned code (AV1 4.10.3).
func (r *bits) uvlc() {
	zeros := 0
	for !r.flag() && r.err == nil {
		zeros++
	}
	if zeros < 32 {
		r.f(zeros)
	}
}

// parseSeqHeader reads a sequence header OBU's payload up to its
// color_config (AV1 5.5).
func parseSeqHeader(p []byte) (seqHeader, error) {
	r := &bits{b: p}
	var s seqHeader
	s.profile = r.f(3)
	s.stillPicture = r.flag()
	s.reducedStill = r.flag()
	if s.reducedStill {
		s.level = r.f(5)
	} else {
		decoderModel, bufferDelayLen := false, 0
		if r.flag() { // timing_info_present_flag
			r.f(32)       // num_units_in_display_tick
			r.f(32)       // time_scale
			if r.flag() { // equal_picture_interval
				r.uvlc()
			}
			if decoderModel = r.flag(); decoderModel {
				bufferDelayLen = r.f(5) + 1
				r.f(32) // num_units_in_decoding_tick
				r.f(5)  // buffer_removal_time_length_minus_1
				r.f(5)  // frame_presentation_time_length_minus_1
			}
		}
		initialDisplayDelay := r.flag()
		ops := r.f(5) + 1
		for i := range ops {
			r.f(12) // operating_point_idc
			level, tier := r.f(5), 0
			if level > 7 {
				tier = r.f(1)
			}
			if i == 0 {
				s.level, s.tier = level, tier
			}
			if decoderModel && r.flag() {
				r.f(bufferDelayLen) // decoder_buffer_delay
				r.f(bufferDelayLen) // encoder_buffer_delay
				r.f(1)              // low_delay_mode_flag
			}
			if initialDisplayDelay && r.flag() {
				r.f(4)
			}
		}
	}
	wb, hb := r.f(4)+1, r.f(4)+1
	s.maxWidth, s.maxHeight = r.f(wb)+1, r.f(hb)+1
	if !s.reducedStill && r.flag() { // frame_id_numbers_present_flag
		r.f(4)
		r.f(3)
	}
	r.f(3) // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
	if !s.reducedStill {
		r.f(4) // interintra, masked compound, warped motion, dual filter
		orderHint := r.flag()
		if orderHint {
			r.f(2) // enable_jnt_comp, enable_ref_frame_mvs
		}
		screen := 2 // SELECT_SCREEN_CONTENT_TOOLS
		if !r.flag() {
			screen = r.f(1)
		}
		if screen > 0 && !r.flag() { // seq_choose_integer_mv
			r.f(1)
		}
		if orderHint {
			r.f(3)
		}
	}
	r.f(3) // enable_superres, enable_cdef, enable_restoration
	s.colorConfig(r)
	if r.err != nil {
		return s, r.err
	}
	return s, nil
}

// colorConfig reads color_config (AV1 5.5.2) for profiles 0 and 1.
func (s *seqHeader) colorConfig(r *bits) {
	s.highBitdepth = r.flag()
	if s.profile == 2 && s.highBitdepth {
		s.twelveBit = r.flag()
	}
	if s.profile != 1 {
		s.mono = r.flag()
	}
	s.primaries, s.transfer, s.matrix = 2, 2, 2 // unspecified
	if s.colourDescriptionPresent = r.flag(); s.colourDescriptionPresent {
		s.primaries, s.transfer, s.matrix = r.f(8), r.f(8), r.f(8)
	}
	switch {
	case s.mono:
		s.fullRange = r.flag()
		s.subX, s.subY = true, true
		return
	case s.primaries == 1 && s.transfer == 13 && s.matrix == 0:
		s.fullRange = true
	default:
		s.fullRange = r.flag()
		switch s.profile {
		case 0:
			s.subX, s.subY = true, true
		case 2:
			if s.highBitdepth && s.twelveBit {
				if s.subX = r.flag(); s.subX {
					s.subY = r.flag()
				}
			} else {
				s.subX = true
			}
		}
		if s.subX && s.subY {
			s.chromaSamplePosition = r.f(2)
		}
	}
	r.f(1) // separate_uv_delta_q
}
