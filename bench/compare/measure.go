package main

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png" // the references and avifdec's output
	"os"
	"os/exec"
	"strings"
	"sync"

	_ "github.com/chai2010/webp" // the WebP outputs

	"imgcells/internal/ssim"
)

// measurer works out the SSIM of output files against the references,
// keeping each reference's luma and each file version's result. It is safe
// for concurrent use.
type measurer struct {
	avifdec string
	mu      sync.Mutex
	refs    map[string]ssim.Plane
	done    map[string]float64
}

func newMeasurer(avifdec string) *measurer {
	return &measurer{avifdec: avifdec, refs: map[string]ssim.Plane{}, done: map[string]float64{}}
}

// decodeFile decodes a PNG or WebP, or an AVIF through avifdec (an
// independent decoder, as a browser would be).
func (m *measurer) decodeFile(path string) (image.Image, error) {
	if strings.HasSuffix(path, "."+formatAVIF) {
		png := path + ".png"
		if out, err := exec.Command(m.avifdec, "--png-compress", "0", path, png).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("decoding %s with avifdec: %w: %s", path, err, out)
		}
		defer os.Remove(png)
		path = png
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	return img, nil
}

func (m *measurer) reference(path string) (ssim.Plane, error) {
	m.mu.Lock()
	p, ok := m.refs[path]
	m.mu.Unlock()
	if ok {
		return p, nil
	}
	img, err := m.decodeFile(path)
	if err != nil {
		return ssim.Plane{}, err
	}
	p = ssim.Luma(img)
	m.mu.Lock()
	m.refs[path] = p
	m.mu.Unlock()
	return p, nil
}

// similarity is the SSIM of who's file in format for img at width w
// against the reference resize, worked out once per version of the file.
func similarity(c config, img string, w int, who, format string) (float64, error) {
	m := c.measure
	path := c.outPath(img, w, who, format)
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	id := fmt.Sprintf("%s@%d", path, st.ModTime().UnixNano())
	m.mu.Lock()
	s, ok := m.done[id]
	m.mu.Unlock()
	if ok {
		return s, nil
	}
	ref, err := m.reference(c.outPath(img, w, "reference", "png"))
	if err != nil {
		return 0, err
	}
	got, err := m.decodeFile(path)
	if err != nil {
		return 0, err
	}
	s, err = ssim.ComparePlanes(ref, ssim.Luma(got))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	m.mu.Lock()
	m.done[id] = s
	m.mu.Unlock()
	return s, nil
}
