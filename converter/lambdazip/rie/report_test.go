package rie

import (
	"os"
	"testing"
	"time"
)

// testdata/rie.log is aws-lambda-rie's output (and the bootstrap's) for one
// cold and one warm invoke of the converter.
func TestReportsOfARealEmulatorLog(t *testing.T) {
	b, err := os.ReadFile("testdata/rie.log")
	if err != nil {
		t.Fatal(err)
	}
	reports, err := Reports(string(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []Report{
		{"2787c954-7a2a-4f75-9fd6-e8a4610eee34", 818420 * time.Microsecond},
		{"b61f0159-e443-44a0-b90a-ed9a98c495d7", 533900 * time.Microsecond},
	}
	if len(reports) != len(want) {
		t.Fatalf("reports %v, want %v", reports, want)
	}
	for i := range want {
		if reports[i] != want[i] {
			t.Errorf("report %d: %v, want %v (the REPORT line's Duration, not its Init or Billed Duration)", i, reports[i], want[i])
		}
	}
	inits, err := InitDurations(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(inits) != 1 || inits[0] != 9356*time.Microsecond {
		t.Errorf("init durations %v, want [9.356ms] (INIT REPORT, not REPORT's Init Duration)", inits)
	}
}

func TestReportsRefuseADamagedLine(t *testing.T) {
	for _, logs := range []string{
		"REPORT RequestId: x\tDuration: fast\n",
		"REPORT RequestId: x\tBilled Duration: 3 ms\n",
	} {
		if r, err := Reports(logs); err == nil {
			t.Errorf("%q: %v, want an error", logs, r)
		}
	}
	if d, err := InitDurations("INIT REPORT(durationMs: 9.3"); err == nil {
		t.Errorf("a cut INIT REPORT: %v, want an error", d)
	}
}

func TestProcessUsageOfThisProcess(t *testing.T) {
	before, err := ProcessUsage(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	after, err := ProcessUsage(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if n := after.MinorFaults - before.MinorFaults; n < 1024 {
		t.Errorf("touching 2048 fresh pages counted %d minor faults", n)
	}
	if buf[4096] != 1 {
		t.Fatal("unreachable: keeps buf alive")
	}
}
