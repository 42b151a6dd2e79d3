// Package smaps reads what the kernel says about this process's memory
// mappings (/proc/self/smaps): the tests use it to see the huge-page advice
// the converter gives its large buffers.
package smaps

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Flags returns the VmFlags of the mapping that holds address p, e.g.
// "rd wr mr mw me ac hg" ("hg": advised MADV_HUGEPAGE).
func Flags(p uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	inside, found := false, false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 {
			inside = lo <= p && p < hi
			found = found || inside
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && inside {
			return strings.TrimSpace(rest), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	if found {
		return "", fmt.Errorf("smaps: the mapping of %#x has no VmFlags", p)
	}
	return "", fmt.Errorf("smaps: no mapping holds %#x", p)
}

// HasFlag reports whether the mapping that holds p has the given VmFlags
// flag: "hg" advised MADV_HUGEPAGE, "nh" advised MADV_NOHUGEPAGE.
func HasFlag(p uintptr, flag string) (bool, error) {
	flags, err := Flags(p)
	if err != nil {
		return false, err
	}
	for f := range strings.FieldsSeq(flags) {
		if f == flag {
			return true, nil
		}
	}
	return false, nil
}
