package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/converter/lambdazip/rie"
	"imgcells/converter/store/storetest"
	"imgcells/local/stack"
)

// originalKey is the photograph's key in the source buckets.
const originalKey = "bench/photo.jpg"

// s3Server is versitygw on loopback holding the original in the replica
// and the main source bucket, and an empty transformed bucket.
type s3Server struct {
	srv    *stack.S3Server
	client *s3.Client
}

func startS3(ctx context.Context, work string, src []byte) (*s3Server, error) {
	srv, err := stack.StartS3Server(ctx, filepath.Join(work, "s3"))
	if err != nil {
		return nil, err
	}
	ts := storetest.Server{Endpoint: srv.Endpoint, Region: srv.Region, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}
	s := &s3Server{srv: srv, client: ts.Client()}
	for _, b := range []string{"src-replica", "src-primary", "transformed"} {
		if _, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			s.close()
			return nil, fmt.Errorf("creating bucket %s: %w", b, err)
		}
	}
	for _, b := range []string{"src-replica", "src-primary"} {
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(originalKey),
			Body: bytes.NewReader(src), ContentType: aws.String("image/jpeg")})
		if err != nil {
			s.close()
			return nil, fmt.Errorf("uploading the original: %w", err)
		}
	}
	return s, nil
}

func (s *s3Server) close() { _ = s.srv.Close() }

// env is the converter's environment for this server (the primary region's
// converter: it reads the replica after a HEAD of the main bucket).
func (s *s3Server) env() []string {
	return []string{
		"AWS_REGION=" + s.srv.Region,
		"AWS_ACCESS_KEY_ID=" + s.srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.srv.SecretKey,
		"IMGCELLS_SOURCE_BUCKET=src-replica",
		"IMGCELLS_PRIMARY_SOURCE_BUCKET=src-primary",
		"IMGCELLS_PRIMARY_REGION=" + s.srv.Region,
		"IMGCELLS_TRANSFORMED_BUCKET=transformed",
		"IMGCELLS_S3_ENDPOINT=" + s.srv.Endpoint,
		contract.EnvGlibcTunables + "=" + contract.ConverterGlibcTunables, // as the stack sets it
	}
}

func (s *s3Server) deleteVariant(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("transformed"), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("deleting the variant: %w", err)
	}
	return nil
}

// invokeRecord is what the emulator and the bootstrap logged about one
// invoke.
type invokeRecord struct {
	init, duration              time.Duration // init: the first invoke's only
	initFaults                  int64         // the bootstrap's own counts at the end of init
	initCPU                     time.Duration
	convertMS, fetchMS, storeMS float64
}

// lastInvoke reads the n-th invoke's REPORT line and the bootstrap's
// request log line (the emulator may print them just after answering).
func lastInvoke(f *rie.Function, n int) (invokeRecord, error) {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		logs := f.Logs()
		reports, err := rie.Reports(logs)
		if err != nil {
			return invokeRecord{}, err
		}
		lines := logLines(logs, "request")
		if len(reports) >= n && len(lines) >= n {
			r := invokeRecord{duration: reports[n-1].Duration}
			l := lines[n-1]
			r.convertMS, r.fetchMS, r.storeMS = l.ConvertMS, l.FetchMS, l.StoreMS
			if n == 1 {
				inits, err := rie.InitDurations(logs)
				if err != nil {
					return r, err
				}
				if len(inits) != 1 {
					return r, fmt.Errorf("want one init report, have %d", len(inits))
				}
				r.init = inits[0]
				// The emulator's first REPORT counts the init phase too.
				r.duration -= r.init
				if l := logLines(logs, "init"); len(l) == 1 {
					r.initFaults = l[0].MinorFaults
					r.initCPU = time.Duration(l[0].CPUMS * float64(time.Millisecond))
				}
			}
			return r, nil
		}
		if time.Now().After(deadline) {
			return invokeRecord{}, fmt.Errorf("invoke %d: no REPORT or request line in the emulator's output:\n%s", n, logs)
		}
	}
}

type requestLine struct {
	Msg         string  `json:"msg"`
	MinorFaults int64   `json:"minor_faults"`
	CPUMS       float64 `json:"cpu_ms"`
	ConvertMS   float64 `json:"convert_ms"`
	FetchMS     float64 `json:"fetch_ms"`
	StoreMS     float64 `json:"store_ms"`
}

func logLines(logs, msg string) []requestLine {
	var out []requestLine
	for l := range strings.SplitSeq(logs, "\n") {
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var r requestLine
		if json.Unmarshal([]byte(l), &r) == nil && r.Msg == msg {
			out = append(out, r)
		}
	}
	return out
}
