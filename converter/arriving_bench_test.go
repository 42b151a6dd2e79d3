package converter

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"imgcells/converter/arrive"
	"imgcells/converter/internal/hostile"
)

// pacedBody sends data at rate bytes a second in 64 KB chunks, as an S3 GET
// body does once its headers are in (the first byte's latency is before
// OpenOriginal returns, so it is not here).
type pacedBody struct {
	data  []byte
	rate  float64
	start time.Time
	sent  int
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.sent == len(p.data) {
		return 0, io.EOF
	}
	n := min(len(b), 64<<10, len(p.data)-p.sent)
	due := p.start.Add(time.Duration(float64(p.sent+n) / p.rate * float64(time.Second)))
	time.Sleep(time.Until(due))
	copy(b, p.data[p.sent:p.sent+n])
	p.sent += n
	return n, nil
}

func (p *pacedBody) Close() error { return nil }

// BenchmarkArriving is a cache miss's conversion from the moment the
// original's body starts: read whole then converted ("whole", as before
// ConvertArriving), or decoded as it arrives ("arriving"), at the rates an
// in-region S3 GET delivers (tens to about a hundred MB/s a connection).
// ns/op covers both; the metrics are each one's mean and their ratio.
// The photo is IMGCELLS_BENCH_PHOTO (bench/run.sh fetches 9-17 MP ones),
// else a generated 12 MP progressive JPEG. Compare the two at each rate:
//
//	IMGCELLS_BENCH_PHOTO=$PWD/bench/out/photos/sunset_by_Aitzol_Berasategi.jpg GOMAXPROCS=1 \
//	  go test -run '^$' -bench Arriving -benchtime 10x -count 3 ./converter/
func BenchmarkArriving(b *testing.B) {
	var src []byte
	if p := os.Getenv("IMGCELLS_BENCH_PHOTO"); p != "" {
		var err error
		if src, err = os.ReadFile(p); err != nil {
			b.Fatalf("reading IMGCELLS_BENCH_PHOTO: %v", err)
		}
	} else {
		var err error
		if src, err = (hostile.Encoded{Width: 4272, Height: 2848, Quality: 85, Mode: hostile.StandardProgressive, Pix: hostile.Noise(4272, 2848)}).Bytes(); err != nil {
			b.Fatal(err)
		}
	}
	v := mustVariant(b, "format=webp,quality=75,width=1280")
	convert := func(arriving bool, rate float64) time.Duration {
		t0 := time.Now()
		a := arrive.Receive(&pacedBody{data: src, rate: rate, start: t0}, len(src))
		var err error
		if arriving {
			_, err = ConvertArriving(context.Background(), a, v, DefaultLimits())
		} else {
			var all []byte
			if all, err = a.All(context.Background()); err == nil {
				_, err = ConvertContext(context.Background(), all, v, DefaultLimits())
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	// Each iteration runs both ways, in alternating order, so that the
	// machine's drift falls on both alike; the figures are their means.
	for _, mbps := range []float64{25, 50, 100} {
		b.Run(fmt.Sprintf("%.0fMBps", mbps), func(b *testing.B) {
			var whole, arriving time.Duration
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					whole += convert(false, mbps*1e6)
					arriving += convert(true, mbps*1e6)
				} else {
					arriving += convert(true, mbps*1e6)
					whole += convert(false, mbps*1e6)
				}
				i++
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(i) }
			b.ReportMetric(float64(len(src))/(mbps*1e6)*1000, "transfer-ms")
			b.ReportMetric(ms(whole), "whole-ms")
			b.ReportMetric(ms(arriving), "arriving-ms")
			b.ReportMetric(float64(arriving)/float64(whole), "arriving/whole")
		})
	}
}
