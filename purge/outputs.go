package purge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
)

// StackOutputs are the stack outputs a purge by hand needs, as `pulumi stack
// output --json` prints them (components.Deploy exports them) and as the
// local stack serves them at /_local/stack-output.
type StackOutputs struct {
	PrimarySourceBucket string            `json:"primarySourceBucket"`
	SourceBuckets       map[string]string `json:"sourceBuckets"`      // region → bucket
	TransformedBuckets  map[string]string `json:"transformedBuckets"` // region → bucket
	DistributionID      string            `json:"distributionId"`
	// Local is set only by the local stack: where its S3 server and its
	// invalidation endpoint are.
	Local *LocalOutputs `json:"local,omitempty"`
}

// LocalOutputs locate the local stack's S3 server (loopback only, its own
// throwaway credentials) and its CDN's invalidation endpoint.
type LocalOutputs struct {
	S3Endpoint      string `json:"s3Endpoint"`
	S3Region        string `json:"s3Region"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	InvalidationURL string `json:"invalidationUrl"`
}

// PrimaryRegion is the region whose source bucket is the main one.
func (o StackOutputs) PrimaryRegion() (string, error) {
	for r, b := range o.SourceBuckets {
		if b == o.PrimarySourceBucket {
			return r, nil
		}
	}
	return "", fmt.Errorf("the outputs name no region for the main source bucket %q", o.PrimarySourceBucket)
}

func (o StackOutputs) check() error {
	var missing []string
	for name, empty := range map[string]bool{
		"primarySourceBucket": o.PrimarySourceBucket == "", "sourceBuckets": len(o.SourceBuckets) == 0,
		"transformedBuckets": len(o.TransformedBuckets) == 0, "distributionId": o.DistributionID == "",
	} {
		if empty {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the stack outputs lack %s (was the stack deployed with this version?)", strings.Join(missing, ", "))
	}
	_, err := o.PrimaryRegion()
	return err
}

// ParseStackOutputs reads outputs JSON and checks that it names everything a
// purge needs.
func ParseStackOutputs(b []byte) (StackOutputs, error) {
	var o StackOutputs
	if err := json.Unmarshal(b, &o); err != nil {
		return StackOutputs{}, fmt.Errorf("reading stack outputs: %w", err)
	}
	return o, o.check()
}

// LoadStackOutputs reads outputs from a file, an http(s) URL (the local
// stack's /_local/stack-output), or, when from is "", from `pulumi stack
// output --json` for stack ("" for the selected one).
func LoadStackOutputs(from, stack string) (StackOutputs, error) {
	var b []byte
	var err error
	switch {
	case strings.HasPrefix(from, "http://") || strings.HasPrefix(from, "https://"):
		b, err = fetch(from)
	case from != "":
		b, err = os.ReadFile(from)
	default:
		args := []string{"stack", "output", "--json"}
		if stack != "" {
			args = append(args, "--stack", stack)
		}
		cmd := exec.Command("pulumi", args...)
		cmd.Stderr = os.Stderr
		b, err = cmd.Output()
		if err != nil {
			err = fmt.Errorf("pulumi %s: %w", strings.Join(args, " "), err)
		}
	}
	if err != nil {
		return StackOutputs{}, err
	}
	return ParseStackOutputs(b)
}

func fetch(url string) ([]byte, error) {
	resp, err := http.Get(url) //nolint:gosec,noctx // the operator names the URL; a one-shot command
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	return b, nil
}
