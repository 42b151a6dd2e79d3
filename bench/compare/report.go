package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
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

type geo struct {
	sum float64
	n   int
}

func (g *geo) add(ratio float64) { g.sum += math.Log(ratio); g.n++ }
func (g *geo) mean() float64     { return math.Exp(g.sum / float64(g.n)) }

// pairStats compares producer a with producer b at one width over every
// image: ratios a/b as geometric means, SSIM and times as arithmetic means.
type pairStats struct {
	wall, cpu, bytes       geo // warm
	coldWall, coldCPU, rss geo // fresh processes (when both ran cold)
	ssimA, ssimB           float64
	msA, msB, coldA, coldB float64 // means of per-image median wall times
}

type side struct{ who, format string }

func comparePair(c config, warm, cold results, w int, a, b side) (pairStats, error) {
	var p pairStats
	n := float64(len(c.images))
	for _, img := range c.images {
		k := key{img, w}
		g, s := warm[k][a.who], warm[k][b.who]
		p.wall.add(median(g.ms) / median(s.ms))
		p.cpu.add(median(g.cpu) / median(s.cpu))
		p.bytes.add(float64(g.bytes) / float64(s.bytes))
		p.msA += median(g.ms) / n
		p.msB += median(s.ms) / n
		if cg, cs := cold[k][a.who], cold[k][b.who]; cg != nil && cs != nil {
			p.coldWall.add(median(cg.ms) / median(cs.ms))
			p.coldCPU.add(median(cg.cpu) / median(cs.cpu))
			p.rss.add(float64(cg.rssKB) / float64(cs.rssKB))
			p.coldA += median(cg.ms) / n
			p.coldB += median(cs.ms) / n
		}
		sa, err := similarity(c, img, w, a.who, a.format)
		if err != nil {
			return p, err
		}
		sb, err := similarity(c, img, w, b.who, b.format)
		if err != nil {
			return p, err
		}
		p.ssimA += sa / n
		p.ssimB += sb / n
	}
	return p, nil
}

func report(c config, warm, cold results) error {
	fmt.Println()
	fmt.Println("| width | warm wall | warm CPU | cold wall | cold CPU | bytes | SSIM imgcells | SSIM sharp | peak RSS | warm wall ms (imgcells / sharp) | cold wall ms |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, w := range c.widths {
		p, err := comparePair(c, warm, cold, w, side{"imgcells", formatWebP}, side{"sharp", formatWebP})
		if err != nil {
			return err
		}
		// Three decimals for the ratios a target is set on (0.85 warm,
		// 0.4 cold): two would print 0.404 as 0.40.
		fmt.Printf("| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.4f | %.4f | %.2f | %.0f / %.0f | %.0f / %.0f |\n",
			w, p.wall.mean(), p.cpu.mean(), p.coldWall.mean(), p.coldCPU.mean(), p.bytes.mean(),
			p.ssimA, p.ssimB, p.rss.mean(), p.msA, p.msB, p.coldA, p.coldB)
	}
	fmt.Println()
	notes()
	return nil
}

func notes() {
	fmt.Println("Ratios are geometric means over the images (imgcells/sharp; below 1 favours imgcells);")
	fmt.Println("wall is elapsed time, CPU the process's CPU time (all threads; steadier on a busy machine);")
	fmt.Println("SSIM is the mean over the images of luma SSIM against the ImageMagick Lanczos resize;")
	fmt.Println("ms columns are arithmetic means of per-image medians.")
}
