package lcms

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// An sRGB profile (here the one lcms writes from sRGB's primaries and
// curve) is recognised as the identity, so sRGB-tagged images skip the
// transform; any other space is not.
func TestSRGBIsIdentity(t *testing.T) {
	for _, c := range []struct {
		name    string
		profile []byte
		ident   bool
	}{
		{"sRGB", srgbProfile, true},
		{"sRGB as a v2 profile with 1024-point curves (as cameras embed IEC61966-2.1)", sampledSRGB(), true},
		{"Display P3", p3Profile, false},
		{"sRGB primaries, gamma 2.2", mustProfile(d65, srgbRGB, 2.2), false},
	} {
		for _, kind := range []Kind{RGB, RGBA} {
			tr, err := Lookup(c.profile, kind)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if tr.Identity() != c.ident {
				t.Errorf("%s (kind %d): identity %v, want %v", c.name, kind, tr.Identity(), c.ident)
			}
			tr.Release()
		}
	}
}

// The transform agrees with the colorimetry done by hand: decode the
// source's transfer curve, go through XYZ with the two spaces' primary
// matrices (both D65, so no adaptation), encode with sRGB's curve.
func TestTransformMatchesColorimetry(t *testing.T) {
	srgbCurve := func(v float64) float64 {
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	for _, c := range []struct {
		name  string
		prim  [3][2]float64
		gamma float64
	}{{"Display P3", displayP3, 0}, {"Adobe RGB", adobeRGB, adobeGamma}} {
		tr, err := Lookup(mustProfile(d65, c.prim, c.gamma), RGBA)
		if err != nil {
			t.Fatal(err)
		}
		toXYZ := primaryMatrix(c.prim, d65)
		fromXYZ := invert(primaryMatrix(srgbRGB, d65))
		worst, n := 0.0, 0
		for r := 0; r < 256; r += 15 {
			for g := 0; g < 256; g += 15 {
				for b := 0; b < 256; b += 15 {
					px := []byte{byte(r), byte(g), byte(b), 77}
					tr.Apply(px, px, 1)
					var lin [3]float64
					for i, v := range []int{r, g, b} {
						x := float64(v) / 255
						if c.gamma > 0 {
							lin[i] = math.Pow(x, c.gamma)
						} else {
							lin[i] = srgbCurve(x)
						}
					}
					out := mul(fromXYZ, mul(toXYZ, lin))
					if min(out[0], out[1], out[2]) < 0 || max(out[0], out[1], out[2]) > 1 {
						continue // outside sRGB: clipped, not compared
					}
					for i := range out {
						want := 255 * encodeSRGB(out[i])
						worst = max(worst, math.Abs(float64(px[i])-want))
					}
					if px[3] != 77 {
						t.Fatalf("%s: alpha changed to %d", c.name, px[3])
					}
					n++
				}
			}
		}
		tr.Release()
		if n < 500 || worst > 1.5 {
			t.Errorf("%s: %d in-gamut colours, worst difference %.2f of 255 (want ≤ 1.5)", c.name, n, worst)
		}
	}
}

// A grey profile maps grey through its own curve onto sRGB's, and keeps
// every grey pixel grey (R = G = B).
func TestGreyStaysGrey(t *testing.T) {
	curve := binary.BigEndian.AppendUint16([]byte("curv\x00\x00\x00\x00\x00\x00\x00\x01"), 0x01CD) // gamma 1.8 (u8Fixed8)
	prof := rawProfile("mntr", "GRAY", "XYZ ", map[string][]byte{"kTRC": curve, "wtpt": d50XYZ()})
	tr, err := Lookup(prof, Gray)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Release()
	if tr.Identity() {
		t.Fatal("a gamma 1.8 grey profile taken for sRGB grey")
	}
	pix := make([]byte, 0, 256*4)
	for v := range 256 {
		pix = append(pix, byte(v), byte(v), byte(v), byte(255-v))
	}
	tr.Grey(pix, 4)
	for v := range 256 {
		p := pix[4*v:]
		want := 255 * encodeSRGB(math.Pow(float64(v)/255, 1.8))
		if p[0] != p[1] || p[1] != p[2] || p[3] != byte(255-v) {
			t.Fatalf("grey %d became %v", v, p[:4])
		}
		if math.Abs(float64(p[0])-want) > 1.5 {
			t.Errorf("grey %d became %d, want %.1f", v, p[0], want)
		}
	}
}

// CMYK pixels arrive inverted (Adobe: 255 = no ink) and must be read so:
// no ink is paper white, full black ink is black.
func TestCMYKIsInverted(t *testing.T) {
	prof := rawProfile("prtr", "CMYK", "Lab ", map[string][]byte{"A2B0": cmykLut(), "wtpt": d50XYZ()})
	tr, err := Lookup(prof, CMYK)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Release()
	in := []byte{255, 255, 255, 255, 255, 255, 255, 0, 0, 255, 255, 255}
	out := make([]byte, 9)
	tr.Apply(in, out, 3)
	if out[0] < 245 || out[1] < 245 || out[2] < 245 {
		t.Errorf("no ink became %v, want white", out[0:3])
	}
	if out[3] > 10 || out[4] > 10 || out[5] > 10 {
		t.Errorf("full black ink became %v, want black", out[3:6])
	}
	if out[6] >= out[7] || out[6] >= out[8] {
		t.Errorf("full cyan became %v, want red lowest", out[6:9])
	}
}

// Hostile and malformed profiles fail with ErrProfile and a reason; none
// crashes, prints or allocates what its header asks. (The converter checks
// every profile's structure first, icc.Check: these reach lcms anyway.)
func TestHostileProfiles(t *testing.T) {
	trunc := append([]byte(nil), p3Profile[:200]...)
	manyTags := append([]byte(nil), p3Profile...)
	binary.BigEndian.PutUint32(manyTags[128:], 1<<28)
	bomb := rawProfile("scnr", "RGB ", "Lab ", map[string][]byte{"A2B0": lut16(3, 255, 64), "wtpt": d50XYZ()})
	link := rawProfile("link", "RGB ", "RGB ", map[string][]byte{"A2B0": lut16(3, 2, 24)})
	for _, c := range []struct {
		name    string
		profile []byte
		kind    Kind
		reason  string
	}{
		{"empty", nil, RGB, "empty"},
		{"garbage", []byte(strings.Repeat("not a profile ", 20)), RGB, ""},
		{"truncated", trunc, RGB, ""},
		{"2^28 tags", manyTags, RGB, ""},
		{"LUT bomb", bomb, RGB, "needs more than 32 MB"},
		{"device link", link, RGB, "device link"},
		{"RGB profile on CMYK pixels", p3Profile, CMYK, "another colour space"},
	} {
		tr, err := Lookup(c.profile, c.kind)
		if err == nil {
			tr.Release()
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: %v, want ErrProfile saying %q", c.name, err, c.reason)
		}
	}
}

// A profile is built once however many requests ask for it at once, and
// again only after it has been evicted.
func TestCacheBuildsOnce(t *testing.T) {
	prof := mustProfile(d65, displayP3, 1.9)
	before := CacheStats().Builds
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tr, err := Lookup(prof, RGB)
			if err != nil {
				t.Error(err)
				return
			}
			px := []byte{10, 200, 30}
			tr.Apply(px, px, 1)
			tr.Release()
		})
	}
	wg.Wait()
	if got := CacheStats().Builds - before; got != 1 {
		t.Errorf("8 lookups of one profile built %d transforms, want 1", got)
	}
}

// Past its bound the cache evicts the least recently used transform; one
// still in use stays valid until released.
func TestCacheEvictsSafely(t *testing.T) {
	held, err := Lookup(mustProfile(d65, adobeRGB, 1.7), RGB)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cacheEntries + 5 {
		tr, err := Lookup(mustProfile(d65, adobeRGB, 2+float64(i)/100), RGB)
		if err != nil {
			t.Fatal(err)
		}
		tr.Release()
	}
	s := CacheStats()
	if s.Entries > cacheEntries || s.Bytes > cacheBytes {
		t.Errorf("cache holds %d entries, %d bytes: past its bounds", s.Entries, s.Bytes)
	}
	px := []byte{100, 150, 200}
	held.Apply(px, px, 1) // evicted by now, but held: still usable
	held.Release()
	if px == nil || (px[0] == 100 && px[1] == 150 && px[2] == 200) {
		t.Errorf("the held transform did nothing: %v", px)
	}
}

// A profile built from the same description is the same bytes every time
// (lcms's timestamp cleared): a PNG's cHRM finds its cached transform.
func TestRGBProfileIsDeterministic(t *testing.T) {
	a := mustProfile(d65, displayP3, 2.2)
	time.Sleep(1100 * time.Millisecond) // lcms's timestamp has one-second resolution
	if b := mustProfile(d65, displayP3, 2.2); !bytes.Equal(a, b) {
		t.Error("two builds of one profile differ")
	}
}
