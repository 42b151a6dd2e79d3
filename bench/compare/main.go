// Command compare benchmarks imgcells against sharp on the same photos in
// the same run: warm single-thread times from two long-running harnesses fed
// interleaved, one fresh-process conversion each (the cold path, with its
// peak RSS), output bytes, and the SSIM of both against one ImageMagick
// Lanczos resize. bench/run.sh installs what it needs and runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

type config struct {
	images             []string
	widths             []int
	quality, rounds    int
	coldRuns           int
	out                string
	goHarness, imgconv string
	node, sharpHarness string
	magick             string
	verbose            bool
}

func main() {
	var c config
	var widths string
	flag.StringVar(&widths, "widths", "640,1280", "output widths, comma-separated")
	flag.IntVar(&c.quality, "quality", 75, "WebP quality")
	flag.IntVar(&c.rounds, "rounds", 3, "timed warm rounds per image and width")
	flag.IntVar(&c.coldRuns, "cold-runs", 2, "fresh-process runs per image and width (median kept)")
	flag.StringVar(&c.out, "out", "bench/out", "folder for outputs and references")
	flag.StringVar(&c.goHarness, "goharness", "bench/out/goharness", "the Go harness binary")
	flag.StringVar(&c.imgconv, "imgconvert", "bench/out/imgconvert", "the imgconvert binary")
	flag.StringVar(&c.node, "node", "node", "node binary")
	flag.StringVar(&c.sharpHarness, "sharp-harness", "bench/sharp-harness.mjs", "the sharp harness script")
	flag.StringVar(&c.magick, "magick", "convert", "ImageMagick convert, for the reference resize")
	flag.BoolVar(&c.verbose, "v", false, "print every timed conversion")
	flag.Parse()
	c.images = flag.Args()
	for s := range strings.SplitSeq(widths, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || w <= 0 {
			fmt.Fprintf(os.Stderr, "compare: bad width %q\n", s)
			os.Exit(2)
		}
		c.widths = append(c.widths, w)
	}
	if len(c.images) == 0 {
		fmt.Fprintln(os.Stderr, "usage: compare [flags] IMAGE...")
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// outPath names an output file for one image, width and producer.
func (c config) outPath(img string, w int, who, ext string) string {
	base := strings.TrimSuffix(filepath.Base(img), filepath.Ext(img))
	return filepath.Join(c.out, fmt.Sprintf("%s-%d-%s.%s", base, w, who, ext))
}

func run(c config) error {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return fmt.Errorf("creating output folder: %w", err)
	}
	fmt.Printf("%d images, widths %v, WebP q%d, single thread, %d warm rounds, %d cold runs\n",
		len(c.images), c.widths, c.quality, c.rounds, c.coldRuns)
	if err := references(c); err != nil {
		return err
	}
	warm, err := warmRuns(c)
	if err != nil {
		return err
	}
	cold, err := coldRuns(c)
	if err != nil {
		return err
	}
	return report(c, warm, cold)
}
