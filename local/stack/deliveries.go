package stack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Delivery records one viewer request: what was asked, what the edge
// function made of it, where the answer came from and how long each step took.
type Delivery struct {
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	URL         string    `json:"url"`    // as the viewer sent it
	Accept      string    `json:"accept"` // the viewer's Accept header
	Region      string    `json:"region"`
	Key         string    `json:"key"`      // the rewritten URI: the cache key and the object key
	Cache       string    `json:"cache"`    // Hit, Miss, Function (edge-generated) or Error
	Origin      string    `json:"origin"`   // cache, s3 or converter
	Failover    string    `json:"failover"` // why the origin group failed over, if it did
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Bytes       int       `json:"bytes"`
	// ServerTiming is the converter's Server-Timing header (fetch, convert
	// and store durations) when it answered.
	ServerTiming string        `json:"serverTiming,omitempty"`
	Edge         time.Duration `json:"edgeNs"`
	S3           time.Duration `json:"s3Ns"`
	Convert      time.Duration `json:"convertNs"`
	Total        time.Duration `json:"totalNs"`
}

// String is the request's log line.
func (d Delivery) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", d.Method, d.URL)
	if d.Key != "" {
		fmt.Fprintf(&b, " → %s", d.Key)
	}
	fmt.Fprintf(&b, " [%s] %s %d", d.Region, d.Cache, d.Status)
	if d.Origin != "" {
		fmt.Fprintf(&b, " origin=%s", d.Origin)
	}
	if d.Failover != "" {
		fmt.Fprintf(&b, " failover=%q", d.Failover)
	}
	if d.ContentType != "" {
		fmt.Fprintf(&b, " %s %dB", d.ContentType, d.Bytes)
	}
	fmt.Fprintf(&b, " edge=%s", round(d.Edge))
	if d.S3 > 0 {
		fmt.Fprintf(&b, " s3=%s", round(d.S3))
	}
	if d.Convert > 0 {
		fmt.Fprintf(&b, " convert=%s", round(d.Convert))
	}
	fmt.Fprintf(&b, " total=%s", round(d.Total))
	return b.String()
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// deliveryLog keeps the most recent deliveries.
type deliveryLog struct {
	mu   sync.Mutex
	ring []Delivery
	next int
	full bool
}

func newDeliveryLog(n int) *deliveryLog { return &deliveryLog{ring: make([]Delivery, n)} }

func (l *deliveryLog) add(d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = d
	l.next = (l.next + 1) % len(l.ring)
	l.full = l.full || l.next == 0
}

// list returns the kept deliveries, oldest first.
func (l *deliveryLog) list() []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]Delivery(nil), l.ring[:l.next]...)
	}
	return append(append([]Delivery(nil), l.ring[l.next:]...), l.ring[:l.next]...)
}

// Deliveries returns the most recent requests (up to 1000), oldest first.
func (s *Stack) Deliveries() []Delivery { return s.deliveries.list() }

// serveLocalAPI answers the stack's own endpoints:
// /_local/deliveries (the recent requests as JSON, for the gallery page),
// /_local/originals/<key> (PUT or DELETE an original), /_local/invalidations
// and /_local/stack-output (for cmd/imgpurge), and those cmd/verify uses
// (outputs.go).
func (s *Stack) serveLocalAPI(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, originalsPrefix) {
		s.serveOriginals(w, r)
		return
	}
	switch r.URL.Path {
	case "/_local/invalidations":
		s.serveInvalidations(w, r)
	case "/_local/stack-output":
		s.serveStackOutput(w, r)
	case "/_local/deliveries":
		body, err := json.Marshal(s.deliveries.list())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(append(body, '\n')) // a viewer that hung up cannot be told
	default:
		if !s.serveVerifyAPI(w, r) { // outputs.go
			http.NotFound(w, r)
		}
	}
}
