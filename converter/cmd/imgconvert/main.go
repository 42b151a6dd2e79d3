// Command imgconvert runs the converter pipeline on one file:
//
//	imgconvert -in photo.jpg -variant format=webp,quality=75,width=640 -out photo.webp
//
// It prints one JSON line (format, width, height, bytes, timings in
// milliseconds). -memory-mb and -timeout set the budget the conversion is
// checked against (a converter Lambda's memory and timeout; the stack's
// defaults otherwise). On refusal it exits 1 with the HTTP status and reason on
// stderr; on a usage or I/O error it exits 2.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"imgcells/contract"
	"imgcells/converter"
)

type report struct {
	Format   contract.Format `json:"format"`
	Width    int             `json:"width"`
	Height   int             `json:"height"`
	Bytes    int             `json:"bytes"`
	DecodeMS float64         `json:"decode_ms"`
	ResizeMS float64         `json:"resize_ms"`
	EncodeMS float64         `json:"encode_ms"`
	TotalMS  float64         `json:"total_ms"`
	Frames   int             `json:"frames,omitempty"` // an animation's
	Colour   string          `json:"colour,omitempty"` // what was done about a colour profile
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imgconvert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "source image file (JPEG, PNG, GIF or WebP)")
	ops := fs.String("variant", "", "canonical variant, e.g. format=webp,quality=75,width=640")
	out := fs.String("out", "", "output file (omit to only report)")
	maxPixels := fs.Int64("max-pixels", converter.DefaultLimits().MaxSourcePixels, "refuse sources with more pixels")
	maxBytes := fs.Int64("max-bytes", converter.DefaultLimits().MaxSourceBytes, "refuse larger source files")
	maxFrames := fs.Int("max-frames", converter.DefaultLimits().MaxFrames, "refuse to keep animations of more frames animated")
	memory := fs.Int("memory-mb", contract.DefaultConverterMemoryMB, "the budget's memory: a converter Lambda's memory size")
	timeout := fs.Duration("timeout", contract.ConverterTimeout, "the budget's time: a converter Lambda's timeout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *in == "" || *ops == "" {
		fmt.Fprintln(stderr, "imgconvert: -in and -variant are required")
		fs.Usage()
		return 2
	}
	budget := contract.Budget{MemoryMB: *memory, Timeout: *timeout}
	if err := budget.Validate(); err != nil {
		fmt.Fprintf(stderr, "imgconvert: -memory-mb or -timeout: %v\n", err)
		return 2
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintf(stderr, "imgconvert: reading source: %v\n", err)
		return 2
	}
	start := time.Now()
	res, err := convert(src, *ops, converter.Limits{MaxSourceBytes: *maxBytes, MaxSourcePixels: *maxPixels, MaxFrames: *maxFrames, Budget: budget})
	total := time.Since(start)
	if err != nil {
		status, reason := contract.StatusOf(err)
		fmt.Fprintf(stderr, "imgconvert: %d %s\n", status, reason)
		return 1
	}
	if *out != "" {
		if err := os.WriteFile(*out, res.Data, 0o644); err != nil {
			fmt.Fprintf(stderr, "imgconvert: writing output: %v\n", err)
			return 2
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	line, err := json.Marshal(report{
		Format: res.Format, Width: res.Width, Height: res.Height, Bytes: len(res.Data),
		DecodeMS: ms(res.Timings.Decode), ResizeMS: ms(res.Timings.Resize),
		EncodeMS: ms(res.Timings.Encode), TotalMS: ms(total), Frames: res.Frames, Colour: res.Colour,
	})
	if err != nil {
		fmt.Fprintf(stderr, "imgconvert: encoding the report: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, string(line))
	return 0
}

func convert(src []byte, ops string, lim converter.Limits) (*converter.Result, error) {
	v, err := contract.ParseOps(ops)
	if err != nil {
		return nil, err
	}
	return converter.Convert(src, v, lim)
}
