package converter

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// Conversions running at once, sharing the buffer pool, give exactly the
// bytes they give one at a time: no buffer is handed to two conversions or
// read after it went back to the pool.
func TestConvertConcurrentMatchesSequential(t *testing.T) {
	old := poolMinBytes
	poolMinBytes = 0 // every buffer goes through the pool
	defer func() { poolMinBytes = old }()

	files := []string{"photo.jpg", "progressive.jpg", "photo.png", "alpha.png", "photo.webp", "portrait.jpg"}
	opsList := []string{"format=webp,quality=75,width=200", "format=jpeg,quality=80,width=150,height=150,fit=cover", "format=png", "format=png,width=61"}
	type job struct{ file, ops string }
	var jobs []job
	want := map[job][]byte{}
	for _, f := range files {
		for _, ops := range opsList {
			j := job{f, ops}
			jobs = append(jobs, j)
			want[j] = mustConvert(t, f, ops).Data
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(jobs))
	for g := range 4 {
		wg.Go(func() {
			for k := range jobs {
				j := jobs[(k*7+g*5)%len(jobs)]
				res, err := Convert(photo(t, j.file), mustVariant(t, j.ops), DefaultLimits())
				if err != nil {
					errs <- err
					continue
				}
				if !bytes.Equal(res.Data, want[j]) {
					errs <- fmt.Errorf("%s %s: output differs from the sequential run", j.file, j.ops)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPoolReusesAndBounds(t *testing.T) {
	var p bufPool
	a := p.get(2 << 20)
	p.put(a)
	if b := p.get(1 << 20); &b[:1][0] != &a[:1][0] {
		t.Error("a free buffer large enough was not reused")
	}
	for range 20 {
		p.put(make([]byte, 2<<20))
	}
	if len(p.free) > poolMaxBufs || p.total > poolMaxBytes {
		t.Errorf("pool holds %d buffers, %d bytes", len(p.free), p.total)
	}
}
