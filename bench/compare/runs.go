package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
)

// key identifies one image at one width.
type key struct {
	img string
	w   int
}

// sample is what one producer did for one key.
type sample struct {
	ms    []float64
	cpu   []float64
	bytes int
	rssKB int64
}

type results map[key]map[string]*sample

func (r results) add(k key, who string, ms, cpu float64, bytes int, rss int64) {
	if r[k] == nil {
		r[k] = map[string]*sample{}
	}
	s := r[k][who]
	if s == nil {
		s = &sample{}
		r[k][who] = s
	}
	s.ms = append(s.ms, ms)
	s.cpu = append(s.cpu, cpu)
	s.bytes = bytes
	s.rssKB = max(s.rssKB, rss)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// producer is one side of the comparison: who made a file, with which
// harness, in which format.
type producer struct {
	who, format string
	h           *harness
}

// producers are imgcells and sharp in the run's format and, for AVIF,
// imgcells' WebP as well, the choice a user of the stack has.
func (c config) producers(hs harnesses) []producer {
	ps := []producer{{"imgcells", c.format, hs.imgcells}, {"sharp", c.format, hs.sharp}}
	if c.format == formatAVIF {
		ps = append(ps, producer{"imgcells-webp", formatWebP, hs.imgcells})
	}
	return ps
}

// warmRuns feeds the harnesses the same conversions, rotating which goes
// first, after one untimed warm-up pass (unless the AVIF quality matching
// has just run every conversion already).
func warmRuns(c config, hs harnesses) (results, error) {
	ps := c.producers(hs)
	res := results{}
	first := -1
	if c.format == formatAVIF {
		first = 0
	}
	for round := first; round < c.rounds; round++ {
		for _, img := range c.images {
			for _, w := range c.widths {
				k := key{img, w}
				shift := ((round % len(ps)) + len(ps)) % len(ps)
				for _, p := range append(ps[shift:len(ps):len(ps)], ps[:shift]...) {
					r, err := p.h.convert(img, w, c.qualityOf(k, p.who), p.format, c.outPath(img, w, p.who, p.format))
					if err != nil {
						return nil, err
					}
					if round >= 0 {
						res.add(k, p.who, r.MS, r.CPUMS, r.Bytes, 0)
						if c.verbose {
							fmt.Printf("  %-13s %5d %-45s %7.1f ms (cpu %7.1f; decode %.1f resize %.1f encode %.1f)\n",
								p.who, w, filepath.Base(img), r.MS, r.CPUMS, r.DecodeMS, r.ResizeMS, r.EncodeMS)
						}
					}
				}
			}
		}
		if round >= 0 {
			fmt.Printf("warm round %d/%d done\n", round+1, c.rounds)
		}
	}
	return res, nil
}

// coldRuns starts a fresh process per conversion: the Lambda cold path.
// Wall time covers process start to exit (see runFresh for the rest). An
// AVIF run does every image and width once and repeats only the headline
// (c.coldImage at the largest width): sharp's AVIF takes seconds a file.
func coldRuns(c config) (results, error) {
	res := results{}
	for i := range c.coldRuns {
		for _, img := range c.images {
			for _, w := range c.widths {
				k := key{img, w}
				if c.format == formatAVIF && i > 0 && (img != c.coldImage || w != slices.Max(c.widths)) {
					continue
				}
				runs := []struct {
					who  string
					env  []string
					argv []string
				}{
					{"imgcells", c.imgcellsEnv(), []string{c.imgconv, "-in", img, "-variant",
						fmt.Sprintf("format=%s,quality=%d,width=%d", c.format, c.qualityOf(k, "imgcells"), w),
						"-out", c.outPath(img, w, "imgcells-cold", c.format)}},
					{"sharp", c.sharpEnv(), []string{c.node, c.sharpHarness, "once", img, strconv.Itoa(w),
						strconv.Itoa(c.qualityOf(k, "sharp")), c.outPath(img, w, "sharp-cold", c.format), c.format}},
				}
				if i%2 == 1 {
					runs[0], runs[1] = runs[1], runs[0]
				}
				for _, r := range runs {
					argv := append(append([]string(nil), c.pin...), r.argv...)
					ms, cpu, rss, err := runFresh(c.gnuTime, argv, r.env)
					if err != nil {
						return nil, fmt.Errorf("cold %s on %s: %w", r.who, img, err)
					}
					res.add(k, r.who, ms, cpu, 0, rss)
					if c.verbose {
						fmt.Printf("  cold %-8s %5d %-45s %7.1f ms (cpu %7.1f) %6d KB\n", r.who, w, filepath.Base(img), ms, cpu, rss)
					}
				}
			}
		}
		fmt.Printf("cold pass %d/%d done\n", i+1, c.coldRuns)
	}
	return res, nil
}
