package edge_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"imgcells/edge"
	"imgcells/edge/cfrun"
)

// The cost of one viewer request through the deployed code in cfrun: what
// the local stack pays per request (CloudFront's own runtime is faster).
func benchmarkRewrite(b *testing.B, cfg edge.Config, kvs map[string]string, target string) {
	r := runner(b, cfg, kvs, fixedClock())
	h := http.Header{"Accept": {browsers[0].accept}}
	ev := cfrun.NewEvent("GET", target, h)
	if res, err := r.Run(ev); err != nil || res.Request == nil {
		b.Fatalf("%+v %v", res, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Run(ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRewrite(b *testing.B) {
	benchmarkRewrite(b, edge.DefaultConfig(), nil, "/products/summer%20sale/shoe.jpg?width=641&quality=70&utm=x")
}

func BenchmarkRewriteSigned(b *testing.B) {
	cfg := edge.DefaultConfig()
	cfg.Signing = true
	target := edge.SignURL("k", "products/shoe.jpg", url.Values{"width": {"640"}}, time.Unix(now+60, 0))
	benchmarkRewrite(b, cfg, map[string]string{edge.KeyCurrent: "k"}, target)
}
