package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"imgcells/contract"
	"imgcells/converter"
)

// chromiumView is what the page reports of one image: its natural size,
// and a few pixels read back through a canvas (straight RGBA).
type chromiumView struct {
	Width, Height int
	Pixels        [][4]int
	Error         string
}

// The converter's AVIF, opaque and with alpha, is an image headless
// Chromium decodes (img.decode()) at the right natural size, with the
// colours the converter's PNG of the same variant has (so Chromium reads the
// range and matrix the file declares) and transparent corners kept
// transparent.
func TestAVIFInChromium(t *testing.T) {
	_, err := findChromium()
	requireTool(t, err)
	cases := []struct {
		name, file, size string
		quality          int
		alpha            bool
		tol              float64 // mean difference from the PNG, in levels
	}{
		{"opaque", "photo.jpg", "width=321", 80, false, 6},
		{"alpha", "alpha.png", "width=201", 80, true, 6},
		// Saturated bars: reading BT.601 planes as BT.709, or full range
		// as limited, moves them by 10 levels or more.
		{"bars", "", "width=256", 90, false, 3},
	}
	files := map[string][]byte{}
	refs := map[string]image.Image{}
	for _, c := range cases {
		src := colourBars(t)
		if c.file != "" {
			var err error
			if src, err = os.ReadFile("../testdata/photos/" + c.file); err != nil {
				t.Fatal(err)
			}
		}
		files[c.name] = convert(t, src, fmt.Sprintf("format=avif,quality=%d,%s", c.quality, c.size), contract.FormatAVIF).Data
		ref := convert(t, src, "format=png,"+c.size, contract.FormatPNG)
		if refs[c.name], err = png.Decode(bytes.NewReader(ref.Data)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if data, ok := files[r.URL.Path[1:]]; ok {
			w.Header().Set("Content-Type", "image/avif")
			_, _ = w.Write(data)
			return
		}
		_, _ = w.Write([]byte("<!doctype html><title>avif</title>"))
	}))
	defer srv.Close()

	c := startCDP(t)
	if err := c.open(srv.URL + "/"); err != nil {
		t.Fatal(err)
	}
	if err := c.waitFor(`location.pathname === '/' && document.readyState === 'complete'`, time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		ref := refs[tc.name]
		b := ref.Bounds()
		// Sample a grid inside the image (the bars' centres), and the
		// top-left corner.
		pts := [][2]int{{0, 0}}
		for j := 1; j < 4; j++ {
			for i := range 8 {
				pts = append(pts, [2]int{b.Dx() * (2*i + 1) / 16, b.Dy() * j / 4})
			}
		}
		ptsJSON, err := json.Marshal(pts)
		if err != nil {
			t.Fatal(err)
		}
		var v chromiumView
		js := fmt.Sprintf(`(async () => {
			const img = new Image();
			img.src = '/%s';
			try { await img.decode(); } catch (e) { return {error: String(e)}; }
			const cv = document.createElement('canvas');
			cv.width = img.naturalWidth; cv.height = img.naturalHeight;
			const g = cv.getContext('2d');
			g.drawImage(img, 0, 0);
			const pts = %s;
			return {width: img.naturalWidth, height: img.naturalHeight,
				pixels: pts.map(([x, y]) => Array.from(g.getImageData(x, y, 1, 1).data))};
		})()`, tc.name, ptsJSON)
		if err := c.eval(js, &v); err != nil {
			t.Fatalf("%s: Chromium did not decode the AVIF: %v", tc.name, err)
		}
		if v.Error != "" {
			t.Errorf("%s: Chromium did not decode the AVIF: %s", tc.name, v.Error)
			continue
		}
		if v.Width != b.Dx() || v.Height != b.Dy() {
			t.Errorf("%s: Chromium's natural size %dx%d, want %dx%d", tc.name, v.Width, v.Height, b.Dx(), b.Dy())
			continue
		}
		if tc.alpha && v.Pixels[0][3] != 0 {
			t.Errorf("%s: corner alpha %d in Chromium, want transparent", tc.name, v.Pixels[0][3])
		}
		var diff, n float64
		for i, p := range pts[1:] {
			r, g, bl, a := ref.At(p[0], p[1]).RGBA()
			got := v.Pixels[i+1]
			if a>>8 != 255 || got[3] != 255 {
				continue // colours under transparency are premultiplied away
			}
			for k, want := range []uint32{r >> 8, g >> 8, bl >> 8} {
				diff += float64(abs(got[k] - int(want)))
				n++
			}
		}
		if n == 0 || diff/n > tc.tol {
			t.Errorf("%s: Chromium's pixels differ from the PNG's by %.1f levels on average (%v samples)", tc.name, diff/max(n, 1), n)
		}
	}
}

// colourBars is a PNG of eight saturated bars, 32×32 pixels each.
func colourBars(t *testing.T) []byte {
	t.Helper()
	bars := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 0, 255},
		{0, 255, 255, 255}, {255, 0, 255, 255}, {40, 40, 40, 255}, {230, 230, 230, 255}}
	m := image.NewNRGBA(image.Rect(0, 0, 256, 32))
	for x := range 256 {
		for y := range 32 {
			m.SetNRGBA(x, y, bars[x/32])
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func convert(t *testing.T, src []byte, ops string, want contract.Format) *converter.Result {
	t.Helper()
	v, err := contract.ParseOps(ops)
	if err != nil {
		t.Fatal(err)
	}
	res, err := converter.Convert(src, v, converter.DefaultLimits())
	if err != nil || res.Format != want {
		t.Fatalf("converting to %s: %v (format %v)", ops, err, res)
	}
	return res
}
