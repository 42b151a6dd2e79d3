package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// cdp drives a headless Chromium over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands on the browser's fd 3, replies and
// events on its fd 4, each a JSON message ended by a NUL byte). Unlike
// --dump-dom it runs on real time, so the page may await work the browser
// does off its main thread, such as ImageDecoder's.
type cdp struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	id      int
	session string
}

func startCDP(t *testing.T) *cdp {
	t.Helper()
	bin, err := findChromium()
	requireTool(t, err)
	toBrowser, cmdIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmdOut, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting chromium: %v", err)
	}
	_ = toBrowser.Close() // the browser's ends, now its own
	_ = fromBrowser.Close()
	t.Cleanup(func() {
		_ = cmdIn.Close()
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("chromium stderr: %s", tail(stderr.String(), 2000))
		}
	})
	return &cdp{cmd: cmd, in: cmdIn, out: bufio.NewReader(cmdOut)}
}

// call sends one command (to the attached page once there is one) and
// returns its result, skipping the events that arrive meanwhile.
func (c *cdp) call(method string, params any) (json.RawMessage, error) {
	c.id++
	msg := map[string]any{"id": c.id, "method": method, "params": params}
	if c.session != "" {
		msg["sessionId"] = c.session
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if _, err := c.in.Write(append(b, 0)); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	for {
		line, err := c.out.ReadBytes(0)
		if err != nil {
			return nil, fmt.Errorf("%s: reading the reply: %w", method, err)
		}
		var r struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(line[:len(line)-1], &r); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		if r.ID != c.id {
			continue // an event, or a reply to nothing we wait for
		}
		if r.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		return r.Result, nil
	}
}

// open loads url in a new page and attaches to it.
func (c *cdp) open(url string) error {
	res, err := c.call("Target.createTarget", map[string]any{"url": url})
	if err != nil {
		return err
	}
	var target struct{ TargetID string }
	if err := json.Unmarshal(res, &target); err != nil {
		return err
	}
	res, err = c.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true})
	if err != nil {
		return err
	}
	var s struct{ SessionID string }
	if err := json.Unmarshal(res, &s); err != nil {
		return err
	}
	c.session = s.SessionID
	return nil
}

// eval runs a JavaScript expression in the page, awaiting it if it is a
// promise, and decodes its JSON value into v.
func (c *cdp) eval(expr string, v any) error {
	res, err := c.call("Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true})
	if err != nil {
		return err
	}
	var r struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails *struct{ Text string }
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if r.ExceptionDetails != nil {
		return fmt.Errorf("%s: %s", expr, r.ExceptionDetails.Text)
	}
	return json.Unmarshal(r.Result.Value, v)
}

// waitFor evaluates cond until it is true, through the page's navigations
// (an evaluation may meet a context the navigation just destroyed).
func (c *cdp) waitFor(cond string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var err error
	for time.Now().Before(deadline) {
		var ok bool
		if err = c.eval(cond, &ok); err == nil && ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not true within %v (last error: %w)", cond, limit, err)
}
