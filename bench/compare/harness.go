package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// harness is a long-running converter fed one line per conversion.
type harness struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
}

type reply struct {
	MS    float64 `json:"ms"`
	CPUMS float64 `json:"cpu_ms"`
	// Stage times (imgcells only).
	DecodeMS float64 `json:"decode_ms"`
	ResizeMS float64 `json:"resize_ms"`
	EncodeMS float64 `json:"encode_ms"`
	Bytes    int     `json:"bytes"`
	Error    string  `json:"error"`
}

func startHarness(name string, env []string, argv ...string) (*harness, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s harness: %w", name, err)
	}
	return &harness{name: name, cmd: cmd, in: in, out: bufio.NewScanner(out)}, nil
}

// convert asks for one conversion to format ("webp" or "avif") at quality q.
func (h *harness) convert(img string, w, q int, format, out string) (reply, error) {
	if _, err := fmt.Fprintf(h.in, "%s\t%d\t%d\t%s\t%s\n", img, w, q, out, format); err != nil {
		return reply{}, fmt.Errorf("%s harness: %w", h.name, err)
	}
	if !h.out.Scan() {
		return reply{}, fmt.Errorf("%s harness exited", h.name)
	}
	var r reply
	if err := json.Unmarshal(h.out.Bytes(), &r); err != nil {
		return r, fmt.Errorf("%s harness said %q: %w", h.name, h.out.Text(), err)
	}
	if r.Error != "" {
		return r, fmt.Errorf("%s harness: %s", h.name, r.Error)
	}
	return r, nil
}

// stop closes the harness's input, which tells it to exit, and waits for it.
// It runs deferred, so it reports a failure rather than returning it.
func (h *harness) stop() {
	if err := errors.Join(h.in.Close(), h.cmd.Wait()); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the %s harness: %v\n", h.name, err)
	}
}

// harnesses are the two long-running converters of one run.
type harnesses struct{ imgcells, sharp *harness }

func startHarnesses(c config) (harnesses, error) {
	goH, err := startHarness("imgcells", c.imgcellsEnv(), c.goHarness)
	if err != nil {
		return harnesses{}, err
	}
	shH, err := startHarness("sharp", c.sharpEnv(), c.node, c.sharpHarness, "serve")
	if err != nil {
		goH.stop()
		return harnesses{}, err
	}
	return harnesses{goH, shH}, nil
}

func (hs harnesses) stop() {
	hs.imgcells.stop()
	hs.sharp.stop()
}
