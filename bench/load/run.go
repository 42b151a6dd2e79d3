package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"imgcells/local/stack"
)

// loadResult is the outcome of the load run.
type loadResult struct {
	sent, failed        int
	hits, misses        []time.Duration
	elapsed             time.Duration
	stoppedByTime       bool
	workers, missTarget int
}

// warmWidths are the breakpoints (at the default quality) the hits ask for,
// as a page's srcset would.
var warmWidths = []int{384, 640, 1080, 1200}

type job struct {
	url  string
	miss bool
}

// plan builds the request list: hits cycle over a warm set of variants
// (converted before the clock starts), misses ask for variants not yet
// converted (each a distinct image, width and quality).
func plan(st *stack.Stack, o options, images []string) (warm []string, jobs []job) {
	cfg := st.EdgeConfig()
	rng := rand.New(rand.NewPCG(1, 2)) // fixed: every run asks the same things
	var fresh []string
	for _, img := range images {
		for _, w := range cfg.Widths {
			for _, q := range cfg.Qualities {
				u := "/" + url.PathEscape(img) + "?width=" + strconv.Itoa(w) + "&quality=" + strconv.Itoa(q)
				if q == cfg.DefaultQuality && slices.Contains(warmWidths, w) {
					warm = append(warm, u)
				} else {
					fresh = append(fresh, u)
				}
			}
		}
	}
	if len(warm) == 0 { // a stack without those breakpoints: warm the first ones
		warm, fresh = fresh[:min(len(fresh), 4*len(images))], fresh[min(len(fresh), 4*len(images)):]
	}
	rng.Shuffle(len(fresh), func(i, j int) { fresh[i], fresh[j] = fresh[j], fresh[i] })
	for range o.requests {
		if rng.IntN(100) < o.missPercent && len(fresh) > 0 {
			jobs = append(jobs, job{url: fresh[0], miss: true})
			fresh = fresh[1:]
			continue
		}
		jobs = append(jobs, job{url: warm[rng.IntN(len(warm))]})
	}
	return warm, jobs
}

func loadRun(ctx context.Context, st *stack.Stack, client *http.Client, base string, o options) (loadResult, error) {
	entries, err := os.ReadDir(o.images)
	if err != nil {
		return loadResult{}, fmt.Errorf("listing %s: %w", o.images, err)
	}
	var images []string
	for _, e := range entries {
		if !e.IsDir() && isImage(e.Name()) {
			images = append(images, e.Name())
		}
	}
	if len(images) == 0 {
		return loadResult{}, fmt.Errorf("no images in %s", o.images)
	}
	warm, jobs := plan(st, o, images)
	accept := chromeAccept
	for _, u := range warm { // warm the edge cache: these are the hits
		if _, _, err := fetch(client, base+u, accept); err != nil {
			return loadResult{}, fmt.Errorf("warming: %w", err)
		}
	}

	res := loadResult{workers: o.workers}
	for _, j := range jobs {
		if j.miss {
			res.missTarget++
		}
	}
	var mu sync.Mutex
	next := make(chan job)
	deadline := time.Now().Add(o.limit)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.workers {
		wg.Go(func() {
			for j := range next {
				t := time.Now()
				_, _, err := fetch(client, base+j.url, accept)
				d := time.Since(t)
				mu.Lock()
				res.sent++
				switch {
				case err != nil:
					res.failed++
					if res.failed <= 5 {
						fmt.Fprintln(os.Stderr, "load:", err)
					}
				case j.miss:
					res.misses = append(res.misses, d)
				default:
					res.hits = append(res.hits, d)
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		if time.Now().After(deadline) || ctx.Err() != nil {
			res.stoppedByTime = true
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}

func (r loadResult) print() {
	all := append(append([]time.Duration(nil), r.hits...), r.misses...)
	fmt.Printf("\nload run: %d requests (%d planned misses) from %d workers in %s%s, %d failed\n",
		r.sent, r.missTarget, r.workers, r.elapsed.Round(time.Millisecond), map[bool]string{true: " (stopped by the time limit)"}[r.stoppedByTime], r.failed)
	fmt.Printf("  throughput %.0f requests/s\n", float64(r.sent)/r.elapsed.Seconds())
	row := func(name string, d []time.Duration) {
		if len(d) == 0 {
			fmt.Printf("  %-6s none\n", name)
			return
		}
		fmt.Printf("  %-6s n=%-5d p50 %8s  p95 %8s  p99 %8s  max %8s\n", name, len(d),
			ms(percentile(d, 50)), ms(percentile(d, 95)), ms(percentile(d, 99)), ms(maxOf(d)))
	}
	row("all", all)
	row("hits", r.hits)
	row("misses", r.misses)
}

// chromeAccept is the Accept header Chrome sends for images.
const chromeAccept = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
