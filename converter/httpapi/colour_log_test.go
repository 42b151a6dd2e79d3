package httpapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// The log line says what was done about a profile and how many frames an
// animation kept: a Display P3 photo is converted from its profile, the
// test GIF's two frames stay two.
func TestLogSaysColourAndFrames(t *testing.T) {
	p3, err := os.ReadFile(filepath.Join("..", "..", "testdata", "colour", "displayp3.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, nil)
	hs.mem.PutReplica("p3.jpg", p3)
	hs.mem.PutReplica("anim.gif", photo(t, "photo.gif"))
	for _, c := range []struct {
		path, field string
		want        any
	}{
		{"/p3.jpg/format=webp,quality=75,width=128", "colour", "icc"},
		{"/anim.gif/format=webp,quality=75,width=128", "frames", float64(2)},
	} {
		resp := hs.do(t, withPath(fixture(t, "get.json"), c.path))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d %q", c.path, resp.StatusCode, resp.Body)
		}
		if got := hs.lastLog(t)[c.field]; got != c.want {
			t.Errorf("%s: log %s = %v, want %v", c.path, c.field, got, c.want)
		}
	}
}
