package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/local/stack"
)

// coldResult compares a cold miss through the stack with the bare
// conversion of the same original to the same variant.
type coldResult struct {
	image, key     string
	stack, bare    []time.Duration
	bytes, outSize int
	// where a cold miss spends its time: the edge function, the transformed
	// bucket's 404, and inside the converter (Server-Timing) reading the
	// original and converting (the variant is stored after the answer, so
	// store is zero unless the converter stores first).
	edge, s3Miss, fetch, convert, store []time.Duration
	// beyond is a miss's time through the stack less its conversion
	// (Server-Timing's convert): the stack's own cost, measured within
	// one request, so free of the noise between two.
	beyond []time.Duration
}

// coldComparison alternates, round by round, a cold request through the
// stack (its variant deleted and the edge caches emptied first) and a bare
// converter.Convert, so both see the same machine load; which of the two
// goes first alternates too.
func coldComparison(ctx context.Context, st *stack.Stack, client *http.Client, base string, o options) (coldResult, error) {
	src, err := os.ReadFile(o.coldImage)
	if err != nil {
		return coldResult{}, fmt.Errorf("reading the cold-miss image: %w", err)
	}
	name := "bench/" + filepath.Base(o.coldImage)
	if err := st.Upload(ctx, name, src); err != nil {
		return coldResult{}, err
	}
	url := base + "/" + strings.ReplaceAll(neturl.PathEscape(name), "%2F", "/") + "?width=" + strconv.Itoa(o.coldWidth)
	accept := o.coldAccept
	r := coldResult{image: name, bytes: len(src)}

	// One warm-up of each, not measured (first use of code paths, pools).
	first, key, err := fetch(client, url, accept)
	if err != nil {
		return r, err
	}
	r.key = key
	_, v, err := contract.ParseKey(key)
	if err != nil {
		return r, fmt.Errorf("the stack answered with variant key %q: %w", key, err)
	}
	if _, err := converter.ConvertContext(ctx, src, v, converter.DefaultLimits()); err != nil {
		return r, fmt.Errorf("bare conversion: %w", err)
	}
	r.outSize = first

	for i := range o.coldRounds {
		// Odd rounds convert bare first, so that neither side always runs
		// right after the other (caches, the S3 server's late work).
		if i%2 == 1 {
			if err := r.timeBare(ctx, src, v); err != nil {
				return r, err
			}
		}
		if err := st.DeleteVariant(ctx, key); err != nil {
			return r, err
		}
		t := time.Now()
		if _, _, err := fetch(client, url, accept); err != nil {
			return r, err
		}
		r.stack = append(r.stack, time.Since(t))
		// The variant's store follows the answer: let it finish, so that
		// it does not share the machine with the bare conversion.
		if err := st.Settle(ctx); err != nil {
			return r, err
		}
		if ds := st.Deliveries(); len(ds) > 0 {
			d := ds[len(ds)-1]
			r.edge, r.s3Miss = append(r.edge, d.Edge), append(r.s3Miss, d.S3)
			timing := serverTiming(d.ServerTiming)
			r.fetch = append(r.fetch, timing["fetch"])
			r.convert = append(r.convert, timing["convert"])
			r.store = append(r.store, timing["store"])
			r.beyond = append(r.beyond, r.stack[len(r.stack)-1]-timing["convert"])
		}
		if i%2 == 0 {
			if err := r.timeBare(ctx, src, v); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// timeBare times one bare conversion of src to v.
func (r *coldResult) timeBare(ctx context.Context, src []byte, v contract.Variant) error {
	t := time.Now()
	if _, err := converter.ConvertContext(ctx, src, v, converter.DefaultLimits()); err != nil {
		return fmt.Errorf("bare conversion: %w", err)
	}
	r.bare = append(r.bare, time.Since(t))
	return nil
}

// fetch GETs url and returns the body size and the variant key the stack
// resolved it to (its X-Imgcells-Key debug header, decoded).
func fetch(client *http.Client, url, accept string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: reading body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	key, err := neturl.PathUnescape(resp.Header.Get(stack.KeyHeader))
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: bad %s: %w", url, stack.KeyHeader, err)
	}
	return int(n), key, nil
}

func (r coldResult) print() {
	s, b := percentile(r.stack, 50), percentile(r.bare, 50)
	fmt.Printf("\ncold miss vs bare conversion: %s (%d bytes) → %s (%d bytes), %d rounds\n",
		r.image, r.bytes, r.key, r.outSize, len(r.stack))
	fmt.Printf("  through the stack  p50 %8s  min %8s  max %8s\n", ms(s), ms(minOf(r.stack)), ms(maxOf(r.stack)))
	fmt.Printf("  converter.Convert  p50 %8s  min %8s  max %8s\n", ms(b), ms(minOf(r.bare)), ms(maxOf(r.bare)))
	fmt.Printf("  ratio, median of the rounds' stack / bare %.3f  (target ≤ 1.05); p50 stack / p50 bare %.3f\n",
		pairedRatio(r.stack, r.bare), float64(s)/float64(b))
	fmt.Printf("  a cold miss, p50 per step: edge function %s, transformed-bucket 404 %s, converter: read original %s, convert %s, store %s\n",
		ms(percentile(r.edge, 50)), ms(percentile(r.s3Miss, 50)), ms(percentile(r.fetch, 50)),
		ms(percentile(r.convert, 50)), storeStep(r.store))
	fmt.Printf("  beyond the conversion, within each miss: p50 %s  max %s\n", ms(percentile(r.beyond, 50)), ms(maxOf(r.beyond)))
}

// storeStep is the store's p50, or that it came after the answer (no
// duration in Server-Timing).
func storeStep(d []time.Duration) string {
	if p := percentile(d, 50); p > 0 {
		return ms(p)
	}
	return "after the answer"
}

// serverTiming parses "fetch;dur=1.2, convert;dur=30.1, store;dur=2.0".
func serverTiming(h string) map[string]time.Duration {
	out := map[string]time.Duration{}
	for part := range strings.SplitSeq(h, ",") {
		name, rest, ok := strings.Cut(strings.TrimSpace(part), ";dur=")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(rest, 64); err == nil {
			out[name] = time.Duration(v * float64(time.Millisecond))
		}
	}
	return out
}
