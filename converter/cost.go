package converter

import (
	"time"

	"imgcells/contract"
)

// The cost model predicts a conversion's CPU time and peak memory from the
// headers alone. Times are nanoseconds of one core of the calibration
// machine (a shared 2-vCPU x86 VM); bench/budget measures every input class
// against these figures (README, "Performance"), and each constant is the
// worst measured rate rounded up, so the model over-predicts.
const (
	// JPEG entropy decoding: per block visited by a scan (a progressive
	// file visits every block of a component once per scan that codes it),
	// and per entropy-coded byte. Measured: a Huffman DC scan 30 ns a
	// visit, an AC scan of end-of-band runs 12; arithmetic 29 and 16;
	// Huffman data 9 ns a byte in one scan, 36–60 in several (progressive);
	// arithmetic 140.
	nsHuffmanVisitDC   = 40
	nsHuffmanVisitAC   = 20
	nsArithVisitDC     = 45
	nsArithVisitAC     = 25
	nsHuffmanByte      = 20
	nsHuffmanByteMulti = 70
	nsArithByte        = 200
	// JPEG output: inverse DCT per stored block (it has a per-block cost at
	// any scale), then upsampling and colour conversion per decoded pixel
	// (measured 3.3 ns).
	nsJPEGBlock = 25
	nsJPEGPixel = 8
	nsCMYKPixel = 6
	// PNG, per byte of raw (filtered) image data: inflate and unfilter, a
	// half again for Adam7 (measured 3.1 ns for 8-bit RGB, 4.3 for
	// interlaced 16-bit grey+alpha, 7 for interlaced 16-bit RGBA), then per
	// pixel the conversion to 8-bit RGB(A).
	nsPNGRawByte = 6
	nsPNGPixel   = 5
	// GIF per canvas pixel (laid out) and per frame pixel (LZW, palette);
	// WebP per pixel, lossy (measured 41 ns for noise at quality 90) and
	// lossless (22).
	nsGIFCanvas    = 10
	nsGIFFrame     = 25
	nsWebPPixel    = 60
	nsWebPLossless = 60
	// Resizing, per decoded sample (box pre-shrink or vertical pass,
	// premultiplying alpha; measured 5) and per output pixel (horizontal
	// pass, orientation, alpha checks); without resizing only the copies.
	nsResizeIn  = 6
	nsResizeOut = 40
	nsCopyOut   = 5
	// Encoding, per output pixel: lossy WebP at quality 75 (libwebp's
	// default method 4: measured 155 ns for noise, 354 with a
	// noisy alpha channel), baseline JPEG with optimised Huffman tables
	// (measured 9–16), and PNG with Go's default zlib level (measured 200
	// for noise, 400 for real photographs).
	nsEncodeWebP      = 180
	nsEncodeWebPAlpha = 450
	nsEncodeJPEG      = 20
	nsEncodePNG       = 500
	// Past about 40 megapixels of detailed content a lossy WebP's first
	// partition (the macroblock modes) overflows VP8's 512 KB limit and
	// libwebp encodes again: measured 140 ns a pixel at 40 MP, 480–540
	// from 45 MP. Outputs past webpBigOutput are costed at the slow rate.
	webpBigOutput   = 32_000_000
	nsEncodeWebPBig = 650
	// AVIF through libaom, tuned for SSIM, per output pixel, CPU time and
	// peak memory, measured by the avif package's BenchmarkWorstCase.
	// Outputs up to avifCarefulPixels are coded at speed 6, larger ones at
	// speed 8 (avifSpeed). The worst contents are random noise at quality
	// 100 and 4×4 blocks from a small palette: at speed 6 up to 2.4 us a
	// pixel and 40 bytes of libaom's state and buffers (photographs
	// 0.3-1.0 us); at speed 8 up to 1.0-1.3 us and 27 bytes (photographs
	// 0.1-0.5 us). The alpha plane is coded losslessly at speed 8 whatever
	// the colour's speed: up to 0.6 us and 3 bytes more.
	nsEncodeAVIFCareful = 3000
	nsEncodeAVIF        = 1200
	nsEncodeAVIFAlpha   = 600
	// avifCarefulPixels is the largest output coded at speed 6, 1.7 MP: a
	// 3:2 photograph 1600 wide, a 1280×1280 square. At the same SSIM speed
	// 8 needs 1.21 times speed 6's bytes (1.03-1.71 per photograph) for
	// 0.45 times its encode time (avif's BenchmarkSpeedChoice); past this
	// size the time would grow past what a miss should wait (the worst
	// content of this size takes about 5 s of a core).
	avifCarefulPixels = 1600 * 1067
	// maxAVIFPixels is the largest AVIF output on a full core (a 2048×2048
	// square, 2560×1600): past it, or on a smaller share of a core past
	// its share of it, the key gets WebP (avifFits). The worst content of
	// that size takes about 5 s to encode at speed 8; a photograph under one.
	maxAVIFPixels = 4_200_000
)

// cost is one conversion's predicted work (reference CPU time) and its peak
// memory, all of it: the source bytes, the decoders' own buffers, the
// rasters and the encoded output.
type cost struct {
	decode, resize, encode time.Duration
	resizeIn               time.Duration // the part of resize that reads the source
	peak                   int64         // bytes
	cPeak                  int64         // of which, at most, in the C libraries' own buffers
}

func (c cost) total() time.Duration { return c.decode + c.resize + c.encode }

// decodeCost is the source side: decoding at the size the plan reads (a
// JPEG at 1/denom), and the memory that takes.
func decodeCost(s *source, p plan, srcBytes int) (ns, mem, cmem int64) {
	px := s.pixels()
	ch := int64(3)
	if s.alpha {
		ch = 4
	}
	mem = 2 * int64(srcBytes) // the source, and its copy while it was read
	switch s.kind {
	case kindJPEG:
		j := s.jpeg
		d := int64(jpegDenom(p))
		dw, dh := int64(ceilDiv(j.w, int(d))), int64(ceilDiv(j.h, int(d)))
		dc, ac := j.blockVisits()
		visitDC, visitAC, perByte := int64(nsHuffmanVisitDC), int64(nsHuffmanVisitAC), int64(nsHuffmanByte)
		if j.multiScan() {
			perByte = nsHuffmanByteMulti
		}
		if j.arithmetic {
			visitDC, visitAC, perByte = nsArithVisitDC, nsArithVisitAC, nsArithByte
		}
		var blocks int64
		for c := range j.comps {
			blocks += j.blocks(c)
		}
		ns = dc*visitDC + ac*visitAC + int64(j.dataBytes)*perByte + blocks*nsJPEGBlock + dw*dh*nsJPEGPixel
		out := int64(3)
		if len(j.comps) == 4 {
			out = 4
			ns += dw * dh * nsCMYKPixel
			mem += dw * dh * 3 // the RGB copy of the CMYK pixels
		}
		mem += dw * dh * out
		if j.multiScan() {
			cmem = blocks * 128 // the coefficient buffer: 64 16-bit values a block
			mem += cmem
		}
	case kindPNG:
		raw := px * int64(s.pngChannels*s.pngDepth) / 8
		if s.pngInterlaced {
			raw += raw / 2
		}
		ns = raw*nsPNGRawByte + px*nsPNGPixel
		// The inflated rows (filter bytes included, up to 7 for Adam7's
		// passes) share the pixels' buffer, but for Adam7's; then the
		// joined IDAT data.
		inflated := px*int64(s.pngChannels*s.pngDepth)/8 + int64(s.h)*8
		if s.pngInterlaced {
			mem += px*ch + inflated
		} else {
			mem += max(px*ch, inflated)
		}
		mem += int64(srcBytes)
	case kindGIF:
		ns = px*nsGIFCanvas + int64(s.frame.Dx()*s.frame.Dy())*nsGIFFrame
		mem += px*4 + 5*int64(s.frame.Dx()*s.frame.Dy()) // the canvas, the paletted frame and its RGBA copy
	case kindWebP:
		per := int64(nsWebPPixel)
		if s.lossless {
			per = nsWebPLossless
		}
		fpx := int64(s.frame.Dx() * s.frame.Dy())
		ns = fpx * per
		cmem = fpx * ch
		mem += 2 * fpx * ch // libwebp's buffer and its Go copy
		if s.animated {
			mem += px*4 + int64(srcBytes) // the canvas, the frame's own file
		}
	}
	return ns, mem, cmem
}

// estimate predicts the whole conversion of s with plan p to format f;
// o is the EXIF orientation (above 1, the output is copied to turn it).
func estimate(s *source, p plan, o int, f contract.Format, srcBytes int) cost {
	dns, dmem, dcmem := decodeCost(s, p, srcBytes)
	q := p
	if s.kind == kindJPEG {
		d := jpegDenom(p)
		q = p.scaledTo(ceilDiv(s.w, d), ceilDiv(s.h, d), d)
	}
	ch := int64(3)
	if s.alpha {
		ch = 4
	}
	raster := int64(q.srcW) * int64(q.srcH) * ch
	out := int64(p.outW) * int64(p.outH)
	c := cost{decode: time.Duration(dns), cPeak: dcmem}
	if s.profiled {
		c.decode += time.Duration(raster / ch * colourNs(s))
	}
	var rmem int64
	if q.resizes() {
		c.resizeIn = time.Duration(raster * nsResizeIn)
		c.resize = c.resizeIn + time.Duration(out*nsResizeOut)
		rmem = resizeBuffers(q, ch)
	} else {
		c.resize = time.Duration(out * nsCopyOut) // orientation and alpha checks only
	}
	if o > 1 {
		rmem += out * ch // turned upright into a new raster
	}
	if s.alpha {
		rmem += out * 3 // an opaque RGBA image loses its alpha into a copy
	}
	ens, emem, ecmem := encodeCost(f, out, ch)
	c.encode = time.Duration(ens)
	c.cPeak = max(c.cPeak, ecmem)
	// The decoded raster and the resizer's buffers live until the end; the
	// decoder's own buffers (a coefficient buffer) are gone before resizing.
	c.peak = max(dmem, 2*int64(srcBytes)+raster+rmem+emem)
	return c
}

// resizes reports whether the plan reads less or other than the whole
// source, or scales it.
func (p plan) resizes() bool {
	return p.cropX != 0 || p.cropY != 0 || p.cropW != p.srcW || p.cropH != p.srcH || p.outW != p.cropW || p.outH != p.cropH
}

// resizeBuffers is what resize allocates: the box pre-shrink's output, the
// vertical pass's intermediate and the output (resize.go).
func resizeBuffers(p plan, ch int64) int64 {
	var box int64
	cw := p.cropW
	if kx, ky := p.cropW/p.outW/2, p.cropH/p.outH/2; kx >= 2 || ky >= 2 {
		cw = p.cropW / max(kx, 1)
		box = int64(cw) * int64(p.cropH/max(ky, 1)) * ch
	}
	mid := int64(cw) * int64(p.outH) * ch
	var out int64
	if p.outW != cw {
		out = int64(p.outW) * int64(p.outH) * ch
	}
	return box + mid + out
}

// encodeCost is the time and memory (all of it, and the C share) of
// encoding out pixels.
func encodeCost(f contract.Format, out, ch int64) (ns, mem, cmem int64) {
	switch f {
	case contract.FormatJPEG:
		// libjpeg's output buffer and its Go copy: a JPEG at quality 100 of
		// noise is about 1.5 bytes a pixel.
		return out * nsEncodeJPEG, out * 3, out * 3 / 2
	case contract.FormatPNG:
		// An RGBA copy for Go's encoder (of an RGB image), then the
		// compressed output while its buffer doubles: measured 3.7 bytes a
		// pixel for noise, at most twice the raw size.
		mem = out * ch * 2
		if ch == 3 {
			mem += out * 4
		}
		return out * nsEncodePNG, mem, 0
	case contract.FormatAVIF:
		// libaom's state and buffers (C), then our YUV(A) planes, the
		// output and its Go copy: at quality 100 of noise 1.3 bytes a pixel,
		// 2.7 with a noisy alpha channel.
		ns, cmem = out*nsEncodeAVIF, out*27
		if avifSpeed(out) == avifCarefulSpeed {
			ns, cmem = out*nsEncodeAVIFCareful, out*40
		}
		if ch == 4 {
			return ns + out*nsEncodeAVIFAlpha, cmem + out*3 + out*5/2 + out*7, cmem + out*3
		}
		return ns, cmem + out*3/2 + out*4, cmem
	}
	// WebP, and any format the model does not know yet, at WebP's rates:
	// libwebp's YUV(A) picture, its working memory and the output, then the
	// output's Go copy: measured 3.5 bytes a pixel for noise.
	mem, cmem = out*4+out/2, out*4
	if ch == 4 {
		mem, cmem = out*6+out/2, out*6
	}
	ns = out * nsEncodeWebP
	if ch == 4 {
		ns = out * nsEncodeWebPAlpha
	}
	if out > webpBigOutput {
		ns = out * max(nsEncodeWebPBig, ns/out)
	}
	return ns, mem, cmem
}

// The libaom speeds the converter encodes AVIF at (avifSpeed).
const (
	avifCarefulSpeed = 6
	avifFastSpeed    = 8
)

// avifSpeed is the libaom speed an AVIF of out pixels is encoded at:
// avifCarefulSpeed up to avifCarefulPixels, avifFastSpeed above. It depends
// on the size alone, so a variant key holds the same image whatever the
// memory of the function that made it.
func avifSpeed(out int64) int {
	if out <= avifCarefulPixels {
		return avifCarefulSpeed
	}
	return avifFastSpeed
}
