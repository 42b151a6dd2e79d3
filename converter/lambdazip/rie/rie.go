// Package rie runs a built bootstrap under the AWS Lambda Runtime Interface
// Emulator (aws-lambda-rie: Lambda's own runtime API, run locally), invokes
// it and reads the emulator's reports. The end-to-end tests and
// bench/lambda use it; it starts only loopback listeners.
package rie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Env names the variable that may point at the aws-lambda-rie binary.
const Env = "IMGCELLS_LAMBDA_RIE"

// Install says how to install the emulator.
const Install = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// Find returns aws-lambda-rie: $IMGCELLS_LAMBDA_RIE, PATH, $GOPATH/bin.
func Find() (string, error) {
	if p := os.Getenv(Env); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	if p := filepath.Join(build.Default.GOPATH, "bin", "aws-lambda-rie"); fileExists(p) {
		return p, nil
	}
	return "", errors.New("aws-lambda-rie not found: set " + Env + " or " + Install)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Function is one emulated execution environment: the emulator and, from
// its first invoke on, the bootstrap it runs (the emulator initialises the
// function on demand, as Lambda does for a request that finds no
// environment).
type Function struct {
	URL  string // the invoke URL
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
	stop context.CancelFunc
}

// Start runs the emulator with cmdline as the function's bootstrap (e.g.
// the bootstrap's path, or qemu and the path), env as the whole environment
// of both and dir as the working directory. The function is stopped by Stop,
// or when ctx ends.
func Start(ctx context.Context, bin string, env []string, dir string, cmdline ...string) (*Function, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	api, err := freeAddr()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	args := append([]string{"--runtime-interface-emulator-address", addr, "--runtime-api-address", api}, cmdline...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	// The bootstrap is the emulator's child: stop both, as a group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	f := &Function{URL: "http://" + addr + "/2015-03-31/functions/function/invocations", cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{}), stop: cancel}
	cmd.Stdout, cmd.Stderr = f.logs, f.logs
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("starting aws-lambda-rie: %w", err)
	}
	go func() { _ = cmd.Wait(); close(f.done) }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close() // the port answers: that is all this probe asks
			return f, nil
		}
		select {
		case <-f.done:
			cancel()
			return nil, fmt.Errorf("aws-lambda-rie exited: %s", f.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			f.Stop()
			return nil, fmt.Errorf("aws-lambda-rie not listening on %s: %s", addr, f.logs.String())
		}
	}
}

// PID is the emulator's process id.
func (f *Function) PID() int { return f.cmd.Process.Pid }

// Logs is everything the emulator and the bootstrap printed so far.
func (f *Function) Logs() string { return f.logs.String() }

// Stop kills the emulator (and with it the bootstrap) and waits for it.
func (f *Function) Stop() {
	f.stop()
	<-f.done
}

// Invoke posts body (an event's JSON) and returns the function's answer.
func (f *Function) Invoke(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoking: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return raw, fmt.Errorf("invocation answered %d: %.300q", resp.StatusCode, raw)
	}
	return raw, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// lockedBuffer collects a process's output while others read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
