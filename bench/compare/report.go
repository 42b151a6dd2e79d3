package main

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png"
	"math"
	"os"
	"os/exec"
	"strconv"

	_ "github.com/chai2010/webp"

	"imgcells/internal/ssim"
)

// references makes one ImageMagick Lanczos resize per image and width.
func references(c config) error {
	for _, img := range c.images {
		for _, w := range c.widths {
			ref := c.outPath(img, w, "reference", "png")
			if _, err := os.Stat(ref); err == nil {
				continue
			}
			cmd := exec.Command(c.magick, img, "-auto-orient", "-filter", "Lanczos", "-resize", strconv.Itoa(w)+"x", ref)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("reference resize of %s: %w: %s", img, err, out)
			}
		}
	}
	return nil
}

func decodeFile(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	return m, nil
}

func similarity(c config, img string, w int, who string) (float64, error) {
	ref, err := decodeFile(c.outPath(img, w, "reference", "png"))
	if err != nil {
		return 0, err
	}
	got, err := decodeFile(c.outPath(img, w, who, "webp"))
	if err != nil {
		return 0, err
	}
	return ssim.Compare(ref, got)
}

type geo struct {
	sum float64
	n   int
}

func (g *geo) add(ratio float64) { g.sum += math.Log(ratio); g.n++ }
func (g *geo) mean() float64     { return math.Exp(g.sum / float64(g.n)) }

func report(c config, warm, cold results) error {
	fmt.Println()
	fmt.Println("| width | warm wall | warm CPU | cold wall | cold CPU | bytes | SSIM imgcells | SSIM sharp | peak RSS | warm wall ms (imgcells / sharp) | cold wall ms |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, w := range c.widths {
		var tw, twc, tc, tcc, tb, tr geo
		var sg, ss, mg, ms, cg, cs float64
		for _, img := range c.images {
			k := key{img, w}
			g, s := warm[k]["imgcells"], warm[k]["sharp"]
			tw.add(median(g.ms) / median(s.ms))
			twc.add(median(g.cpu) / median(s.cpu))
			tb.add(float64(g.bytes) / float64(s.bytes))
			mg += median(g.ms)
			ms += median(s.ms)
			cgS, csS := cold[k]["imgcells"], cold[k]["sharp"]
			tc.add(median(cgS.ms) / median(csS.ms))
			tcc.add(median(cgS.cpu) / median(csS.cpu))
			tr.add(float64(cgS.rssKB) / float64(csS.rssKB))
			cg += median(cgS.ms)
			cs += median(csS.ms)
			a, err := similarity(c, img, w, "imgcells")
			if err != nil {
				return err
			}
			b, err := similarity(c, img, w, "sharp")
			if err != nil {
				return err
			}
			sg += a
			ss += b
		}
		n := float64(len(c.images))
		fmt.Printf("| %d | %.2f | %.2f | %.2f | %.2f | %.3f | %.4f | %.4f | %.2f | %.0f / %.0f | %.0f / %.0f |\n",
			w, tw.mean(), twc.mean(), tc.mean(), tcc.mean(), tb.mean(), sg/n, ss/n, tr.mean(), mg/n, ms/n, cg/n, cs/n)
	}
	fmt.Println("\nRatios are geometric means over the images (imgcells/sharp; below 1 favours imgcells);")
	fmt.Println("wall is elapsed time, CPU the process's CPU time (all threads; steadier on a busy machine);")
	fmt.Println("SSIM is the mean over the images of luma SSIM against the ImageMagick Lanczos resize;")
	fmt.Println("ms columns are arithmetic means of per-image medians.")
	return nil
}
