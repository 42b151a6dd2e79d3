package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"imgcells/local/stack"
)

func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// Without a stack, or with outputs it cannot use, the command says what to do
// and exits 2.
func TestUsageErrors(t *testing.T) {
	if code, _, msg := runCmd(t, ""); code != 2 || !strings.Contains(msg, "-stack NAME") {
		t.Errorf("no stack: exit %d, %q", code, msg)
	}
	if code, _, msg := runCmd(t, `{"cdnHost":"x"}`, "-outputs", "-"); code != 2 || !strings.Contains(msg, "pulumi up") {
		t.Errorf("old outputs: exit %d, %q", code, msg)
	}
	if code, _, msg := runCmd(t, "", "-local", "http://127.0.0.1:1"); code != 2 || !strings.Contains(msg, "make local") {
		t.Errorf("no local stack: exit %d, %q", code, msg)
	}
}

// Against the local stack every check passes (or does not apply), one line
// each, and the command exits 0.
func TestChecksTheLocalStack(t *testing.T) {
	if _, err := stack.FindVersity(); err != nil {
		if os.Getenv("IMGCELLS_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	comp, err := stack.ReadStackFile(filepath.Join("..", "..", "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := stack.FromComponents(comp)
	cfg.ReplicationLag, cfg.ReplicationTick, cfg.Logf = 100*time.Millisecond, 50*time.Millisecond, t.Logf
	st, err := stack.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	defer func() {
		srv.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	}()
	code, out, errOut := runCmd(t, "", "-local", srv.URL, "-n", "3")
	t.Log(out)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if strings.HasPrefix(line, "      look at:") {
			continue
		}
		if !strings.HasPrefix(line, "PASS  ") && !strings.HasPrefix(line, "SKIP  ") && !strings.Contains(line, "passed,") {
			t.Errorf("line %q", line)
		}
	}
	if !strings.Contains(out, "0 failed") {
		t.Errorf("summary missing: %s", out)
	}
}
