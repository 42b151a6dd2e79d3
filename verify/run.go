package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Status is a check's outcome.
type Status string

// The outcomes.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Result is one check: its name, outcome, duration, what it saw and, when it
// failed, where to look.
type Result struct {
	Name   string
	Status Status
	Took   time.Duration
	Detail string
	Hint   string
}

// Line is the result as the command prints it.
func (r Result) Line() string {
	s := fmt.Sprintf("%-4s  %-26s %7s  %s", r.Status, r.Name, roundDuration(r.Took), r.Detail)
	if r.Hint != "" {
		s += "\n      look at: " + r.Hint
	}
	return s
}

func roundDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// Report is every check of one run.
type Report struct {
	Prefix  string // the run's probe folder in the main source bucket
	Results []Result
}

// Count returns how many checks ended with s.
func (r Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// Find returns the named check's result.
func (r Report) Find(name string) (Result, bool) {
	for _, res := range r.Results {
		if res.Name == name {
			return res, true
		}
	}
	return Result{}, false
}

// failure is a failed check: what is wrong and where to look.
type failure struct{ what, hint string }

func (f *failure) Error() string { return f.what }

func failf(hint, format string, args ...any) error {
	return &failure{what: fmt.Sprintf(format, args...), hint: hint}
}

// skipped is a check that does not apply to this stack.
type skipped string

func (s skipped) Error() string { return string(s) }

// run is the state of one run.
type run struct {
	t       Target
	o       Options
	out     io.Writer
	report  Report
	prefix  string // "_imgcells-verify/<id>/"
	probe   string // the probe original's key
	hostile string
	misses  []string
	variant string // the variant key the first request made (AVIF or WebP)
}

// Run checks the target, printing one line per check to out as it ends, and
// removes its probes whatever happened (also when ctx is cancelled). The
// report says what passed; an error means the run could not start.
func Run(ctx context.Context, t Target, o Options, out io.Writer) (rep Report, err error) {
	o.defaults()
	if t.HTTP == nil || t.Store == nil || t.Invalidate == nil {
		return Report{}, errors.New("verify: the target needs an HTTP client, a store and an invalidation")
	}
	if t.Outputs.Signing && t.SignKey == "" {
		return Report{}, errors.New("the stack signs URLs (imgcells:signing): pass -sign-key with the value of sign.key in the edge function's KeyValueStore")
	}
	id := make([]byte, 6)
	if _, err := rand.Read(id); err != nil {
		return Report{}, fmt.Errorf("making a probe id: %w", err)
	}
	r := &run{t: t, o: o, out: out, prefix: ProbePrefix + hex.EncodeToString(id) + "/"}
	r.report.Prefix = r.prefix
	r.probe, r.hostile = r.prefix+"probe.png", r.prefix+"hostile.png"
	for i := range o.Misses {
		r.misses = append(r.misses, fmt.Sprintf("%smiss-%02d.png", r.prefix, i))
	}
	fmt.Fprintf(out, "imgcells verify: %s (%s), probes under s3://%s/%s\n",
		t.Outputs.BaseURL(), strings.Join(t.Outputs.Regions(), ", "), t.Outputs.PrimarySourceBucket, r.prefix)
	defer func() {
		r.cleanup(ctx)
		rep = r.report
	}()

	if !r.check("upload", func() (string, error) { return r.upload(ctx) }) {
		return r.report, nil
	}
	r.viewerChecks(ctx)
	r.refusalChecks(ctx)
	r.originChecks(ctx)
	r.check("replicated-original", func() (string, error) { return r.replicatedOriginal(ctx) })
	if r.check("replicated-variant", func() (string, error) { return r.replicatedVariant(ctx) }) {
		r.check("served-by-mrap", func() (string, error) { return r.servedByMRAP(ctx) })
	}
	r.check("latency", func() (string, error) { return r.latency(ctx) })
	return r.report, nil
}

// check runs fn as the named check, records and prints its result, and
// reports whether it passed (or was skipped).
func (r *run) check(name string, fn func() (string, error)) bool {
	start := time.Now()
	detail, err := fn()
	res := Result{Name: name, Status: Pass, Took: time.Since(start), Detail: detail}
	var f *failure
	var s skipped
	switch {
	case err == nil:
	case errors.As(err, &s):
		res.Status, res.Detail = Skip, string(s)
	case errors.As(err, &f):
		res.Status, res.Detail, res.Hint = Fail, f.what, f.hint
	default:
		res.Status, res.Detail = Fail, err.Error()
	}
	r.report.Results = append(r.report.Results, res)
	fmt.Fprintln(r.out, res.Line())
	return res.Status != Fail
}

// upload puts the probe, the hostile probe and the latency probes in the main
// source bucket.
func (r *run) upload(ctx context.Context) (string, error) {
	bucket := r.t.Outputs.PrimarySourceBucket
	total := 0
	put := func(key string, body []byte) error {
		total += len(body)
		if err := r.t.Store.Put(ctx, bucket, key, body, "image/png"); err != nil {
			return failf("the credentials' s3:PutObject on "+bucket+" (the credentials `pulumi up` used)", "uploading %s: %v", key, err)
		}
		return nil
	}
	for i, key := range append([]string{r.probe}, r.misses...) {
		body, err := probePNG(i)
		if err != nil {
			return "", err
		}
		if err := put(key, body); err != nil {
			return "", err
		}
	}
	if err := put(r.hostile, hostilePNG()); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d probes, %s, in s3://%s/%s", len(r.misses)+2, size(total), bucket, r.prefix), nil
}

// cleanup removes the run's probes from every bucket: the originals, their
// replicas and every variant made of them. A replica that replication
// delivers after it would stay, so it looks again once after a short wait.
func (r *run) cleanup(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	o := r.t.Outputs
	buckets := []string{o.PrimarySourceBucket}
	for _, region := range o.Regions() {
		if b := o.SourceBuckets[region]; b != o.PrimarySourceBucket {
			buckets = append(buckets, b)
		}
		buckets = append(buckets, o.TransformedBuckets[region])
	}
	r.check("cleanup", func() (string, error) {
		removed := 0
		for pass := range 2 {
			if pass > 0 {
				time.Sleep(min(r.o.Poll, 5*time.Second))
			}
			for _, b := range buckets {
				n, err := r.t.Store.Purge(ctx, b, r.prefix)
				if err != nil {
					return "", failf(fmt.Sprintf("remove s3://%s/%s by hand (every version)", b, r.prefix), "removing the probes from %s: %v", b, err)
				}
				removed += n
			}
		}
		return fmt.Sprintf("removed %d objects and versions under %s from %d buckets", removed, r.prefix, len(buckets)), nil
	})
}
