package main

import (
	"fmt"
	"path/filepath"
	"slices"
)

// reportAVIF prints imgcells' AVIF against sharp's at matched SSIM, against
// imgcells' own WebP, per image, and the fresh-process headline.
func reportAVIF(c config, warm, cold results) error {
	avif, webp, sharp := side{"imgcells", formatAVIF}, side{"imgcells-webp", formatWebP}, side{"sharp", formatAVIF}
	fmt.Printf("\nimgcells AVIF q%d / sharp AVIF at matched SSIM\n\n", c.quality)
	fmt.Println("| width | warm wall | warm CPU | cold wall | cold CPU | bytes | SSIM imgcells | SSIM sharp | sharp quality | peak RSS | warm wall ms (imgcells / sharp) | cold wall ms |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, w := range c.widths {
		p, err := comparePair(c, warm, cold, w, avif, sharp)
		if err != nil {
			return err
		}
		var qs []int
		for _, img := range c.images {
			qs = append(qs, c.sharpQ[key{img, w}])
		}
		fmt.Printf("| %d | %.2f | %.2f | %.2f | %.2f | %.3f | %.4f | %.4f | %d–%d | %.2f | %.0f / %.0f | %.0f / %.0f |\n",
			w, p.wall.mean(), p.cpu.mean(), p.coldWall.mean(), p.coldCPU.mean(), p.bytes.mean(),
			p.ssimA, p.ssimB, slices.Min(qs), slices.Max(qs), p.rss.mean(), p.msA, p.msB, p.coldA, p.coldB)
	}
	fmt.Printf("\nimgcells AVIF q%d / imgcells WebP q%d (warm)\n\n", c.quality, c.quality)
	fmt.Println("| width | warm wall | warm CPU | bytes | SSIM AVIF | SSIM WebP | warm wall ms (AVIF / WebP) | AVIF quality at WebP's SSIM | bytes there |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, w := range c.widths {
		p, err := comparePair(c, warm, cold, w, avif, webp)
		if err != nil {
			return err
		}
		var qs []int
		var eq geo
		for _, img := range c.images {
			m := c.asWebP[key{img, w}]
			qs = append(qs, m[1].q)
			eq.add(float64(m[1].bytes) / float64(m[0].bytes))
		}
		fmt.Printf("| %d | %.2f | %.2f | %.3f | %.4f | %.4f | %.0f / %.0f | %d–%d | %.3f |\n",
			w, p.wall.mean(), p.cpu.mean(), p.bytes.mean(), p.ssimA, p.ssimB, p.msA, p.msB, slices.Min(qs), slices.Max(qs), eq.mean())
	}
	if err := perImage(c, warm); err != nil {
		return err
	}
	w := slices.Max(c.widths)
	g, s := cold[key{c.coldImage, w}]["imgcells"], cold[key{c.coldImage, w}]["sharp"]
	fmt.Printf("\nFresh process, %s to %d wide AVIF, one core: imgcells %.2f s (CPU %.2f), sharp %.2f s (CPU %.2f), %.2f× (CPU %.2f×); medians of %d\n",
		filepath.Base(c.coldImage), w, median(g.ms)/1000, median(g.cpu)/1000, median(s.ms)/1000, median(s.cpu)/1000,
		median(g.ms)/median(s.ms), median(g.cpu)/median(s.cpu), len(g.ms))
	fmt.Println()
	notes()
	fmt.Println("cold columns and peak RSS: one fresh process per image and width (the headline above: -cold-runs of them);")
	fmt.Println("sharp quality is the range over the images of the quality the bisection picked;")
	fmt.Println("the last two columns: imgcells' lowest AVIF quality within the match of its WebP's SSIM, and its bytes / WebP's.")
	return nil
}

// perImage prints each image's bytes, SSIM and warm CPU ratio: where the
// encoder gains or loses.
func perImage(c config, warm results) error {
	fmt.Println("\n| width | image | bytes imgcells / sharp | SSIM imgcells / sharp | sharp q | warm CPU ms imgcells / sharp | bytes AVIF / WebP |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, w := range c.widths {
		for _, img := range c.images {
			k := key{img, w}
			g, s, wp := warm[k]["imgcells"], warm[k]["sharp"], warm[k]["imgcells-webp"]
			sg, err := similarity(c, img, w, "imgcells", formatAVIF)
			if err != nil {
				return err
			}
			ss, err := similarity(c, img, w, "sharp", formatAVIF)
			if err != nil {
				return err
			}
			fmt.Printf("| %d | %s | %d / %d = %.3f | %.4f / %.4f | %d | %.0f / %.0f = %.2f | %.3f |\n",
				w, filepath.Base(img), g.bytes, s.bytes, float64(g.bytes)/float64(s.bytes), sg, ss, c.sharpQ[k],
				median(g.cpu), median(s.cpu), median(g.cpu)/median(s.cpu), float64(g.bytes)/float64(wp.bytes))
		}
	}
	return nil
}
