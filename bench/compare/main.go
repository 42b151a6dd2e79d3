// Command compare benchmarks imgcells against sharp on the same photos in
// the same run: warm single-thread times from two long-running harnesses fed
// interleaved, one fresh-process conversion each (the cold path, with its
// peak RSS), output bytes, and the SSIM of both against one ImageMagick
// Lanczos resize. bench/run.sh installs what it needs and runs it.
//
// With -format avif both sides encode AVIF: imgcells at -quality, sharp at
// its default effort and, per image and width, the lowest quality whose SSIM
// is at least imgcells' (a bisection before any timing), so bytes and time
// compare at equal similarity: sharp never looks worse than imgcells in the
// comparison. (The AVIF target's "SSIM ≥ sharp's − 0.002" is a tolerance for
// imgcells; -match 0.002 would hand it to sharp instead, lowering its
// quality below imgcells' and so its bytes.) imgcells' WebP at -quality joins the
// warm rounds, and fresh processes run pinned to one core.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"imgcells/contract"
)

const (
	formatWebP = "webp"
	formatAVIF = "avif"
)

type config struct {
	images             []string
	widths             []int
	format             string
	quality, rounds    int
	coldRuns           int
	out                string
	goHarness, imgconv string
	node, sharpHarness string
	magick             string
	gnuTime            string
	verbose            bool
	// AVIF only.
	avifdec   string             // the independent decoder SSIM is measured through
	match     float64            // how far below imgcells' SSIM sharp's may be
	matchJobs int                // matching conversions run at once
	sharpAVIF string             // sharp's avif() options as JSON, over its defaults
	tunables  string             // GLIBC_TUNABLES for imgcells' processes
	coldImage string             // the image whose fresh-process time is the headline
	pin       []string           // command prefix that pins a fresh process to one core
	sharpQ    map[key]int        // sharp's quality per image and width
	asWebP    map[key][2]matched // imgcells' WebP, and its AVIF at the same SSIM
	measure   *measurer          // SSIM of the outputs, for both formats
}

// qualityOf is the quality who is asked for at k.
func (c config) qualityOf(k key, who string) int {
	if q, ok := c.sharpQ[k]; ok && who == "sharp" {
		return q
	}
	return c.quality
}

// imgcellsEnv is the environment of imgcells' processes: one thread, and
// the C library's settings the deployed converter runs with (-tunables).
func (c config) imgcellsEnv() []string {
	env := []string{"GOMAXPROCS=1"}
	if c.tunables != "" {
		env = append(env, contract.EnvGlibcTunables+"="+c.tunables)
	}
	return env
}

// sharpEnv is the environment of sharp's processes.
func (c config) sharpEnv() []string {
	env := []string{"UV_THREADPOOL_SIZE=1"}
	if c.sharpAVIF != "" {
		env = append(env, "SHARP_AVIF_OPTIONS="+c.sharpAVIF)
	}
	return env
}

func main() {
	var c config
	var widths string
	flag.StringVar(&widths, "widths", "640,1280", "output widths, comma-separated")
	flag.StringVar(&c.format, "format", formatWebP, "output format: webp or avif")
	flag.IntVar(&c.quality, "quality", 75, "imgcells' quality (and sharp's for WebP)")
	flag.IntVar(&c.rounds, "rounds", 3, "timed warm rounds per image and width")
	flag.IntVar(&c.coldRuns, "cold-runs", 2, "fresh-process runs per image and width (median kept)")
	flag.StringVar(&c.out, "out", "bench/out", "folder for outputs and references")
	flag.StringVar(&c.goHarness, "goharness", "bench/out/goharness", "the Go harness binary")
	flag.StringVar(&c.imgconv, "imgconvert", "bench/out/imgconvert", "the imgconvert binary")
	flag.StringVar(&c.node, "node", "node", "node binary")
	flag.StringVar(&c.sharpHarness, "sharp-harness", "bench/sharp-harness.mjs", "the sharp harness script")
	flag.StringVar(&c.magick, "magick", "convert", "ImageMagick convert, for the reference resize")
	flag.StringVar(&c.gnuTime, "time", "/usr/bin/time", "GNU time, which measures a fresh process's peak RSS")
	flag.BoolVar(&c.verbose, "v", false, "print every timed conversion")
	flag.StringVar(&c.avifdec, "avifdec", "avifdec", "libavif's avifdec, which decodes AVIF for SSIM")
	flag.Float64Var(&c.match, "match", 0, "AVIF: sharp's SSIM may be this far below imgcells' (0: sharp at least as similar)")
	flag.IntVar(&c.matchJobs, "match-jobs", 2, "AVIF: untimed quality-matching conversions run at once")
	flag.StringVar(&c.sharpAVIF, "sharp-avif", "", `AVIF: sharp's avif() options as JSON, e.g. {"chromaSubsampling":"4:2:0"} (defaults otherwise)`)
	flag.StringVar(&c.tunables, "tunables", contract.ConverterGlibcTunables, "GLIBC_TUNABLES for imgcells' processes, as the stack sets it for the Lambda (empty: none)")
	flag.StringVar(&c.coldImage, "cold-image", "", "AVIF: the image whose fresh-process time at the largest width is the headline (default: the JPEG nearest 12 MP)")
	flag.Parse()
	if c.format != formatWebP && c.format != formatAVIF {
		fmt.Fprintf(os.Stderr, "compare: -format is webp or avif, not %q\n", c.format)
		os.Exit(2)
	}
	c.images = flag.Args()
	c.measure = newMeasurer(c.avifdec)
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
	if c.format == formatWebP {
		fmt.Printf("%d images, widths %v, WebP q%d, single thread, %d warm rounds, %d cold runs\n",
			len(c.images), c.widths, c.quality, c.rounds, c.coldRuns)
	} else if err := c.setUpAVIF(); err != nil {
		return err
	}
	if err := references(c); err != nil {
		return err
	}
	hs, err := startHarnesses(c)
	if err != nil {
		return err
	}
	if c.format == formatAVIF {
		if err := matchQualities(c, hs); err != nil {
			hs.stop()
			return err
		}
	}
	warm, err := warmRuns(c, hs)
	hs.stop()
	if err != nil {
		return err
	}
	cold, err := coldRuns(c)
	if err != nil {
		return err
	}
	if c.format == formatAVIF {
		return reportAVIF(c, warm, cold)
	}
	return report(c, warm, cold)
}
