package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of the photos
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// setUpAVIF checks the AVIF run's tools, picks the cold headline image and
// says what the run compares.
func (c *config) setUpAVIF() error {
	if _, err := exec.LookPath(c.avifdec); err != nil {
		return fmt.Errorf("AVIF needs avifdec (Debian's libavif-bin) to decode for SSIM: %w", err)
	}
	if p, err := exec.LookPath("taskset"); err == nil {
		c.pin = []string{p, "-c", "0"}
	}
	c.sharpQ = map[key]int{}
	c.asWebP = map[key][2]matched{}
	if c.coldImage == "" {
		c.coldImage = nearest12MP(c.images)
	}
	found := false
	for _, img := range c.images {
		found = found || img == c.coldImage
	}
	if !found {
		return fmt.Errorf("-cold-image %s is not one of the images", c.coldImage)
	}
	opts := c.sharpAVIF
	if opts == "" {
		opts = "its defaults"
	}
	fmt.Printf("%d images, widths %v, AVIF: imgcells q%d; sharp effort 4 (%s) at the lowest quality whose SSIM is at least imgcells' - %.3f, per image and width; imgcells WebP q%d alongside\n",
		len(c.images), c.widths, c.quality, opts, c.match, c.quality)
	fmt.Printf("single thread, %d warm rounds, %d cold runs (pinned: %v)\n", c.rounds, c.coldRuns, c.pin != nil)
	return nil
}

// nearest12MP is the JPEG whose pixel count is nearest 12 megapixels.
func nearest12MP(images []string) string {
	best, bestD := "", math.Inf(1)
	for _, img := range images {
		if !strings.EqualFold(filepath.Ext(img), ".jpg") && !strings.EqualFold(filepath.Ext(img), ".jpeg") {
			continue
		}
		b, err := os.ReadFile(img)
		if err != nil {
			continue
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			continue
		}
		if d := math.Abs(float64(cfg.Width*cfg.Height) - 12e6); d < bestD {
			best, bestD = img, d
		}
	}
	return best
}

// matched is where a bisection ended: the quality, its file's SSIM and
// bytes, and whether it reached the target (it may not even at 100).
type matched struct {
	q, bytes int
	ssim     float64
	met      bool
}

// lowestQuality finds the lowest quality in 1..100 whose SSIM is at least
// target by bisection (SSIM rises with quality, give or take a step's
// noise). try encodes at a quality and returns the file's SSIM and bytes.
func lowestQuality(target float64, try func(q int) (float64, int, error)) (matched, int, error) {
	tried := map[int]matched{}
	at := func(q int) (matched, error) {
		if m, ok := tried[q]; ok {
			return m, nil
		}
		s, n, err := try(q)
		tried[q] = matched{q: q, bytes: n, ssim: s, met: s >= target}
		return tried[q], err
	}
	lo, hi := 1, 100
	for lo < hi {
		mid := (lo + hi) / 2
		m, err := at(mid)
		if err != nil {
			return m, len(tried), err
		}
		if m.met {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	m, err := at(lo)
	return m, len(tried), err
}

// matchQualities runs before any timing. For every image and width it
// finds the lowest sharp AVIF quality whose SSIM is at least imgcells' AVIF
// SSIM minus c.match (the quality the timed rounds then give sharp), and
// the lowest imgcells AVIF quality whose SSIM is at least imgcells' WebP
// SSIM minus c.match (AVIF against WebP at equal similarity). Being
// untimed, it runs c.matchJobs pairs of harnesses at once, hs among them.
func matchQualities(c config, hs harnesses) error {
	var keys []key
	for _, img := range c.images {
		for _, w := range c.widths {
			keys = append(keys, key{img, w})
		}
	}
	lines := make([]string, len(keys))
	errs := make([]error, max(c.matchJobs, 1))
	var mu sync.Mutex // c.sharpQ and c.asWebP
	var next atomic.Int64
	var wg sync.WaitGroup
	for j := range errs {
		h := hs
		if j > 0 {
			var err error
			if h, err = startHarnesses(c); err != nil {
				errs[j] = err
				break
			}
		}
		wg.Go(func() {
			if j > 0 {
				defer h.stop()
			}
			for i := int(next.Add(1) - 1); i < len(keys) && errs[j] == nil; i = int(next.Add(1) - 1) {
				lines[i], errs[j] = matchOne(c, h, keys[i], &mu)
			}
		})
	}
	wg.Wait()
	for _, l := range lines {
		fmt.Print(l)
	}
	return errors.Join(errs...)
}

// matchOne does both matches for k and returns the lines that say so.
func matchOne(c config, hs harnesses, k key, mu *sync.Mutex) (string, error) {
	own, err := encodeSSIM(c, hs.imgcells, k, c.quality, formatAVIF, "imgcells")
	if err != nil {
		return "", err
	}
	sh, n, err := lowestAVIF(c, hs.sharp, k, own.ssim-c.match, "sharp")
	if err != nil {
		return "", err
	}
	lines := fmt.Sprintf("match %5d %-40s imgcells q%d SSIM %.4f %7d B; sharp q%-3d SSIM %.4f %7d B (%d tries%s)\n",
		k.w, filepath.Base(k.img), c.quality, own.ssim, own.bytes, sh.q, sh.ssim, sh.bytes, n, short(sh))
	wp, err := encodeSSIM(c, hs.imgcells, k, c.quality, formatWebP, "imgcells-webp")
	if err != nil {
		return "", err
	}
	av, n, err := lowestAVIF(c, hs.imgcells, k, wp.ssim-c.match, "imgcells")
	if err != nil {
		return "", err
	}
	lines += fmt.Sprintf("      %5d %-40s imgcells WebP q%d SSIM %.4f %7d B; AVIF q%-3d SSIM %.4f %7d B (%d tries%s)\n",
		k.w, "", c.quality, wp.ssim, wp.bytes, av.q, av.ssim, av.bytes, n, short(av))
	mu.Lock()
	c.sharpQ[k] = sh.q
	c.asWebP[k] = [2]matched{wp, av}
	mu.Unlock()
	return lines, nil
}

// lowestAVIF is lowestQuality for h's AVIF of k, each try in its own file
// (who-q<quality>).
func lowestAVIF(c config, h *harness, k key, target float64, who string) (matched, int, error) {
	return lowestQuality(target, func(q int) (float64, int, error) {
		m, err := encodeSSIM(c, h, k, q, formatAVIF, fmt.Sprintf("%s-q%d", who, q))
		return m.ssim, m.bytes, err
	})
}

// encodeSSIM has h encode k at quality q into who's file, untimed, and
// measures it.
func encodeSSIM(c config, h *harness, k key, q int, format, who string) (matched, error) {
	r, err := h.convert(k.img, k.w, q, format, c.outPath(k.img, k.w, who, format))
	if err != nil {
		return matched{}, err
	}
	s, err := similarity(c, k.img, k.w, who, format)
	return matched{q: q, bytes: r.Bytes, ssim: s, met: true}, err
}

func short(m matched) string {
	if m.met {
		return ""
	}
	return ", short of the target even at q100"
}
