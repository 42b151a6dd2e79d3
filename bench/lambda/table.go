package main

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// printArchTable prints the unthrottled configurations: the architectures
// side by side.
func printArchTable(cs []config) {
	fmt.Println("\n| bootstrap | init | first invoke | warm invoke (median, range) | first / warm | CPU first / warm | convert_ms first / warm | page faults first / warm |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, c := range cs {
		if c.limiter != nil {
			continue
		}
		name := c.arch + " → " + string(c.format)
		if c.arch != hostArch() {
			name += " (qemu, emulated)"
		}
		row(name, c)
	}
}

// printCPUTable prints the amd64 bootstrap at each simulated memory size.
func printCPUTable(cs []config) {
	var base *config
	for i, c := range cs {
		if c.limiter == nil && c.arch == hostArch() && base == nil {
			base = &cs[i]
		}
	}
	header := false
	for _, c := range cs {
		if c.limiter == nil {
			continue
		}
		if !header {
			fmt.Printf("\nCPU share (CFS quota, %d ms period, 2 CPUs visible), %s → %s:\n\n", cfsPeriodUS/1000, c.arch, c.format)
			fmt.Println("| memory (vCPU) | init | first invoke | warm invoke (median, range) | first / warm | warm / unthrottled warm | CPU first / warm |")
			fmt.Println("|---|---|---|---|---|---|---|")
			header = true
		}
		vsBase := "–"
		if base != nil && len(base.warm) > 0 {
			vsBase = fmt.Sprintf("%.2f×", ratio(median(c.warm), median(base.warm)))
		}
		fmt.Printf("| %d MB (%.2f) | %s | %s | %s | %.2f× | %s | %s / %s |\n", c.memoryMB, vcpus(c.memoryMB),
			ms(median(c.init)), ms(median(c.first)), spread(c.warm), ratio(median(c.first), median(c.warm)), vsBase,
			ms(median(c.firstCPU)), ms(median(c.warmCPU)))
	}
}

func row(name string, c config) {
	fmt.Printf("| %s | %s | %s | %s | %.2f× | %s / %s | %.0f / %.0f | %d / %d |\n", name,
		ms(median(c.init)), ms(median(c.first)), spread(c.warm), ratio(median(c.first), median(c.warm)),
		ms(median(c.firstCPU)), ms(median(c.warmCPU)),
		median(c.firstConvert), median(c.warmConvert), median(c.firstFaults), median(c.warmFaults))
}

func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%s–%s)", ms(median(ds)), ms(slices.Min(ds)), ms(slices.Max(ds)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// median is the middle value (the upper one of an even count), 0 for none.
func median[T cmp.Ordered](xs []T) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
