package webpanim

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The headers this binding compiles against are the ones of the libwebp
// that github.com/chai2010/webp builds into the binary: a module upgrade
// that changes them fails here until include/ is refreshed.
func TestHeadersMatchTheLinkedLibwebp(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/chai2010/webp").Output()
	if err != nil {
		t.Fatalf("locating the chai2010/webp module: %v", err)
	}
	dirs, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "internal", "libwebp-*", "src", "webp"))
	if len(dirs) != 1 {
		t.Fatalf("libwebp sources in the module: %v", dirs)
	}
	names, _ := filepath.Glob(filepath.Join("include", "webp", "*.h"))
	if len(names) != 6 {
		t.Fatalf("include/webp holds %d headers, want 6", len(names))
	}
	for _, name := range names {
		ours, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := os.ReadFile(filepath.Join(dirs[0], filepath.Base(name)))
		if err != nil || !bytes.Equal(ours, theirs) {
			t.Errorf("%s differs from %s's (%v)", name, dirs[0], err)
		}
	}
}

func frame(w, h int, seed byte) []byte {
	f := make([]byte, w*h*4)
	for i := range f {
		f[i] = seed + byte(i/4%w)*3
		if i%4 == 3 {
			f[i] = 0xFF
		}
	}
	return f
}

// Frames, their timing and the number of plays survive a round trip, and
// the decoder hands back full canvases.
func TestRoundTrip(t *testing.T) {
	const w, h = 32, 16
	e, err := NewEncoder(w, h, 3, 90)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	starts := []int{0, 40, 140, 150}
	for i, s := range starts {
		if err := e.Add(frame(w, h, byte(i*60)), s); err != nil {
			t.Fatal(err)
		}
	}
	data, err := e.Finish(400)
	if err != nil {
		t.Fatal(err)
	}
	d, info, err := NewDecoder(data)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if info != (Info{Width: w, Height: h, Loop: 3, Frames: 4}) {
		t.Errorf("info %+v", info)
	}
	buf := make([]byte, w*h*4)
	for i, want := range []int{40, 140, 150, 400} {
		end, err := d.Next(buf)
		if err != nil || end != want {
			t.Errorf("frame %d ends at %d (%v), want %d", i, end, err, want)
		}
		if d := int(buf[0]) - i*60; buf[3] != 0xFF || d < -8 || d > 8 {
			t.Errorf("frame %d starts with %v, want about %d opaque", i, buf[:4], i*60)
		}
	}
	if _, err := d.Next(buf); !errors.Is(err, ErrDecode) {
		t.Errorf("past the last frame: %v", err)
	}
}

// Bad input is an error, never a crash: a frame of the wrong size, an
// empty or truncated file, bytes that are not WebP.
func TestBadInput(t *testing.T) {
	e, err := NewEncoder(8, 8, 0, 75)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Add(make([]byte, 10), 0); err == nil {
		t.Error("a 10-byte frame accepted")
	}
	if err := e.Add(frame(8, 8, 1), 0); err != nil {
		t.Fatal(err)
	}
	data, err := e.Finish(100)
	e.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{nil, []byte("RIFF\x00\x00\x00\x00WEBPVP8X"), data[:len(data)/2], bytes.Repeat([]byte{0xAB}, 100)} {
		d, _, err := NewDecoder(bad)
		if err != nil {
			continue
		}
		if _, err := d.Next(make([]byte, 8*8*4)); err == nil {
			t.Errorf("%d bytes of damage decoded a frame", len(bad))
		}
		d.Close()
	}
}
