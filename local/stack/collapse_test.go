package stack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// gatedConverter holds every call until want calls have arrived or wait has
// passed, so that misses which are not collapsed all reach the converter
// while the first is still converting.
type gatedConverter struct {
	next    APIHandler
	want    int
	wait    time.Duration
	mu      sync.Mutex
	arrived int
	open    chan struct{}
}

func (g *gatedConverter) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	g.mu.Lock()
	g.arrived++
	if g.arrived == g.want {
		close(g.open)
	}
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-time.After(g.wait):
	}
	return g.next.Handle(ctx, req)
}

// Simultaneous misses of one variant reach the converter once, HEADs as
// well as GETs (each HEAD miss converts and stores too), and every viewer
// gets the answer. Uncollapsed, eight HEADs converted eight times.
func TestConcurrentMissesCollapseForGETAndHEAD(t *testing.T) {
	const n = 8
	st := newTestStack(t, Config{Images: imagesDir(t, "photo.jpg"), ReplicationLag: time.Hour})
	reg := st.regions[st.cfg.ViewerRegion]
	for method, target := range map[string]string{http.MethodGet: "/photo.jpg?width=200", http.MethodHead: "/photo.jpg?width=300"} {
		gate := &gatedConverter{next: reg.converter, want: n, wait: time.Second, open: make(chan struct{})}
		reg.converter = gate
		before := st.Conversions(reg.name)
		recs := make([]*httptest.ResponseRecorder, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				req := httptest.NewRequest(method, target, nil)
				req.Header.Set("Accept", "image/webp")
				recs[i] = httptest.NewRecorder()
				<-start
				st.ServeHTTP(recs[i], req)
			})
		}
		close(start)
		wg.Wait()
		reg.converter = gate.next
		for i, rec := range recs {
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/webp" ||
				rec.Header().Get("Content-Length") != recs[0].Header().Get("Content-Length") {
				t.Errorf("%s %d: %d %q length %q", method, i, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Length"))
			}
		}
		if got := st.Conversions(reg.name) - before; got != 1 {
			t.Errorf("%d simultaneous %s misses: %d conversions, want 1", n, method, got)
		}
	}
}
