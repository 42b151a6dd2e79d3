package converter

import (
	"image"
	"image/color"
	"math"
)

// lab converts an 8-bit sRGB colour to CIELAB (D65 white).
func lab(c color.NRGBA) [3]float64 {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	r, g, b := lin(c.R), lin(c.G), lin(c.B)
	x := (0.4124564*r + 0.3575761*g + 0.1804375*b) / 0.95047
	y := 0.2126729*r + 0.7151522*g + 0.0721750*b
	z := (0.0193339*r + 0.1191920*g + 0.9503041*b) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// deltaE2000 is the CIEDE2000 colour difference (Sharma, Wu and Dalal,
// "The CIEDE2000 color-difference formula", 2005), with kL = kC = kH = 1.
func deltaE2000(p, q [3]float64) float64 {
	L1, a1, b1 := p[0], p[1], p[2]
	L2, a2, b2 := q[0], q[1], q[2]
	deg := math.Pi / 180
	cbar := (math.Hypot(a1, b1) + math.Hypot(a2, b2)) / 2
	c7 := math.Pow(cbar, 7)
	g := 0.5 * (1 - math.Sqrt(c7/(c7+math.Pow(25, 7))))
	a1p, a2p := (1+g)*a1, (1+g)*a2
	c1p, c2p := math.Hypot(a1p, b1), math.Hypot(a2p, b2)
	hue := func(b, a float64) float64 {
		if a == 0 && b == 0 {
			return 0
		}
		h := math.Atan2(b, a) / deg
		if h < 0 {
			h += 360
		}
		return h
	}
	h1p, h2p := hue(b1, a1p), hue(b2, a2p)
	dL, dC := L2-L1, c2p-c1p
	var dh float64
	switch {
	case c1p*c2p == 0:
		dh = 0
	case math.Abs(h2p-h1p) <= 180:
		dh = h2p - h1p
	case h2p-h1p > 180:
		dh = h2p - h1p - 360
	default:
		dh = h2p - h1p + 360
	}
	dH := 2 * math.Sqrt(c1p*c2p) * math.Sin(dh/2*deg)
	lbar, cbarp := (L1+L2)/2, (c1p+c2p)/2
	var hbar float64
	switch {
	case c1p*c2p == 0:
		hbar = h1p + h2p
	case math.Abs(h1p-h2p) <= 180:
		hbar = (h1p + h2p) / 2
	case h1p+h2p < 360:
		hbar = (h1p + h2p + 360) / 2
	default:
		hbar = (h1p + h2p - 360) / 2
	}
	t := 1 - 0.17*math.Cos((hbar-30)*deg) + 0.24*math.Cos(2*hbar*deg) + 0.32*math.Cos((3*hbar+6)*deg) - 0.20*math.Cos((4*hbar-63)*deg)
	dTheta := 30 * math.Exp(-sq((hbar-275)/25))
	cp7 := math.Pow(cbarp, 7)
	rc := 2 * math.Sqrt(cp7/(cp7+math.Pow(25, 7)))
	sl := 1 + 0.015*sq(lbar-50)/math.Sqrt(20+sq(lbar-50))
	sc := 1 + 0.045*cbarp
	sh := 1 + 0.015*cbarp*t
	rt := -math.Sin(2*dTheta*deg) * rc
	return math.Sqrt(sq(dL/sl) + sq(dC/sc) + sq(dH/sh) + rt*(dC/sc)*(dH/sh))
}

func sq(x float64) float64 { return x * x }

// imageDeltaE is the mean and largest CIEDE2000 difference between two
// images of one size, pixel by pixel.
func imageDeltaE(a, b image.Image) (mean, worst float64) {
	r := a.Bounds()
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			q := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			d := deltaE2000(lab(p), lab(q))
			mean += d
			worst = max(worst, d)
			n++
		}
	}
	return mean / float64(max(n, 1)), worst
}
