package avif

// planes are 8-bit Y'CbCr 4:2:0 planes, rows packed: Y is w×h, Cb and Cr
// are (w+1)/2 × (h+1)/2 (a chroma sample covers up to 2×2 pixels).
type planes struct {
	y, cb, cr []byte
	w, h      int
}

func chromaSize(w, h int) (int, int) { return (w + 1) / 2, (h + 1) / 2 }

// BT.601 (CICP matrix 6) luma and chroma weights, in 1/65536.
const (
	kr, kg, kb = 19595, 38470, 7471 // 0.299, 0.587, 0.114
	cbR, cbG   = -11059, -21709     // -0.168736, -0.331264; Cb's B is 0.5
	crG, crB   = -27439, -5329      // -0.418688, -0.081312; Cr's R is 0.5
	half       = 1 << 15
	one        = 1 << 16
)

// toYUV420 converts straight 8-bit RGB or RGBA (ch 3 or 4) to full-range
// BT.601 Y'CbCr 4:2:0: Y' = 0.299R' + 0.587G' + 0.114B' over the whole
// 0–255 range, Cb and Cr centred on 128 over 0–255 (ITU-T H.273, matrix 6,
// video_full_range_flag 1). Chroma is the mean of each 2×2 block's (or, at
// an odd edge, the 2×1, 1×2 or 1×1 block's) Cb and Cr. Alpha is ignored:
// the colour under a transparent pixel is kept as it is.
func toYUV420(pix []byte, w, h, ch int) planes {
	cw, chh := chromaSize(w, h)
	p := planes{y: make([]byte, w*h), cb: make([]byte, cw*chh), cr: make([]byte, cw*chh), w: w, h: h}
	stride := w * ch
	for cy := range chh {
		for cx := range cw {
			var sb, sr, n int
			for dy := range 2 {
				y := 2*cy + dy
				if y >= h {
					break
				}
				row := pix[y*stride:]
				for dx := range 2 {
					x := 2*cx + dx
					if x >= w {
						break
					}
					i := x * ch
					r, g, b := int(row[i]), int(row[i+1]), int(row[i+2])
					p.y[y*w+x] = byte((kr*r + kg*g + kb*b + half) >> 16)
					sb += cbR*r + cbG*g + b*half
					sr += r*half + crG*g + crB*b
					n++
				}
			}
			p.cb[cy*cw+cx] = chroma(sb, n)
			p.cr[cy*cw+cx] = chroma(sr, n)
		}
	}
	return p
}

// chroma turns a sum of n chroma values (in 1/65536, centred on 0) into
// an 8-bit sample centred on 128, rounded and clamped.
func chroma(sum, n int) byte {
	v := 128 + floorDiv(sum+n*half, n*one)
	return byte(min(max(v, 0), 255))
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// alphaPlane extracts the alpha channel of packed RGBA as a w×h plane.
func alphaPlane(pix []byte, w, h int) []byte {
	a := make([]byte, w*h)
	for i := range a {
		a[i] = pix[4*i+3]
	}
	return a
}
