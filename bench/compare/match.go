package main

import (
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of the photos
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	fmt.Printf("%d images, widths %v, AVIF: imgcells q%d; sharp effort 4 (%s) at the lowest quality within %.3f of imgcells' SSIM, per image and width; imgcells WebP q%d alongside\n",
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
		f, err := os.Open(img)
		if err != nil {
			continue
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			continue
		}
		if d := math.Abs(float64(cfg.Width*cfg.Height) - 12e6); d < bestD {
			best, bestD = img, d
		}
	}
	return best
}

// matchQualities finds, for every image and width, the lowest sharp AVIF
// quality whose SSIM is at least imgcells' minus c.match: a bisection over
// 1..100 (SSIM rises with quality, give or take a step's noise). No time
// is kept; the warm rounds then run at these qualities.
func matchQualities(c config, hs harnesses) error {
	for _, img := range c.images {
		for _, w := range c.widths {
			k := key{img, w}
			r, err := hs.imgcells.convert(img, w, c.quality, formatAVIF, c.outPath(img, w, "imgcells", formatAVIF))
			if err != nil {
				return err
			}
			own, err := similarity(c, img, w, "imgcells", formatAVIF)
			if err != nil {
				return err
			}
			target := own - c.match
			tried := map[int]float64{}
			meets := func(q int) (bool, error) {
				who := fmt.Sprintf("sharp-q%d", q)
				if _, err := hs.sharp.convert(img, w, q, formatAVIF, c.outPath(img, w, who, formatAVIF)); err != nil {
					return false, err
				}
				s, err := similarity(c, img, w, who, formatAVIF)
				tried[q] = s
				return s >= target, err
			}
			lo, hi := 1, 100
			for lo < hi {
				mid := (lo + hi) / 2
				ok, err := meets(mid)
				if err != nil {
					return err
				}
				if ok {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			if _, ok := tried[lo]; !ok {
				if _, err := meets(lo); err != nil {
					return err
				}
			}
			note := ""
			if tried[lo] < target {
				note = ", short of the target even at q100"
			}
			c.sharpQ[k] = lo
			fmt.Printf("match %5d %-40s imgcells q%d SSIM %.4f %7d B; sharp q%-3d SSIM %.4f (%d tries%s)\n",
				w, filepath.Base(img), c.quality, own, r.Bytes, lo, tried[lo], len(tried), note)
		}
	}
	return nil
}
