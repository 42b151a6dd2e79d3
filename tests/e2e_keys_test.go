package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"imgcells/edge"
	"imgcells/local/stack"
)

// Keys with a space, a plus sign and non-ASCII letters are served, each
// under one canonical key whatever spelling the viewer used.
func TestE2EKeysWithSpacePlusAndUnicode(t *testing.T) {
	s := startStack(t, nil)
	ctx := context.Background()
	photo := readPhoto(t, "photo.jpg")
	cases := []struct {
		key      string
		requests []string // spellings of the same original
	}{
		{"with space/shoe 1.jpg", []string{"/with%20space/shoe%201.jpg", "/with%20space/shoe%201.jpg"}},
		{"a+b.jpg", []string{"/a+b.jpg", "/a%2Bb.jpg", "/a%2bb.jpg"}},
		{"ünïcødé/фото.jpg", []string{"/" + escapePath("ünïcødé/фото.jpg"), "/%C3%BCn%C3%AFc%C3%B8d%C3%A9/%D1%84%D0%BE%D1%82%D0%BE.jpg"}},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			if err := s.Upload(ctx, c.key, photo); err != nil {
				t.Fatal(err)
			}
			var first []byte
			for i, target := range c.requests {
				r := s.get(target+"?width=200", "", acceptChrome)
				mustImage(t, r, s.browserType())
				if i == 0 {
					first = r.Body
					continue
				}
				if r.cache() != "Hit from cloudfront" || !bytes.Equal(r.Body, first) {
					t.Errorf("%s: X-Cache %q, want a hit on the variant of %q", target, r.cache(), c.key)
				}
			}
			got := s.transformedKeys(ctx, s.PrimaryRegion(), c.key)
			if want := s.key(c.key, s.browserFormat(), 200); len(got) != 1 || got[0] != want {
				t.Errorf("stored %q, want [%q]", got, want)
			}
		})
	}
}

// Hostile originals and URLs get their 4xx, never a 5xx, and leave nothing
// in any transformed bucket.
func TestE2EHostileImagesAndURLs(t *testing.T) {
	s := startStack(t, nil)
	ctx := context.Background()
	photo := readPhoto(t, "photo.jpg")
	uploads := map[string][]byte{
		"hostile/text.jpg":      []byte("this is not an image at all\n"),
		"hostile/empty.png":     {},
		"hostile/truncated.jpg": photo[:len(photo)/3],
		"hostile/bomb.png":      pngHeaderOnly(60000, 60000),
		"hostile/svg.png":       []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`),
	}
	for key, data := range uploads {
		if err := s.Upload(ctx, key, data); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, method, target string
		want                 int
	}{
		{"text is not an image", "GET", "/hostile/text.jpg?width=200", http.StatusUnsupportedMediaType},
		{"empty file", "GET", "/hostile/empty.png", http.StatusUnsupportedMediaType},
		{"svg", "GET", "/hostile/svg.png?width=64", http.StatusUnsupportedMediaType},
		{"truncated jpeg", "GET", "/hostile/truncated.jpg?width=200", http.StatusUnprocessableEntity},
		{"decompression bomb", "GET", "/hostile/bomb.png?width=200", http.StatusRequestEntityTooLarge},
		{"missing original", "GET", "/nothing-here.jpg?width=200", http.StatusNotFound},
		{"variant-looking path", "GET", "/photo.jpg/format=webp,quality=75", http.StatusNotFound},
		{"dot-dot segment", "GET", "/hostile/../photo.jpg?width=200", http.StatusBadRequest},
		{"encoded dot-dot", "GET", "/%2e%2e/photo.jpg?width=200", http.StatusBadRequest},
		{"empty segment", "GET", "//photo.jpg?width=200", http.StatusBadRequest},
		{"NUL byte", "GET", "/photo.jpg%00?width=200", http.StatusBadRequest},
		{"bad UTF-8", "GET", "/%C3%28.jpg?width=200", http.StatusBadRequest},
		{"broken escape", "GET", "/%E0%A4%A.jpg", http.StatusBadRequest},
		{"key too long", "GET", "/" + strings.Repeat("a", 1000) + ".jpg?width=200", http.StatusBadRequest},
		{"POST", "POST", "/photo.jpg?width=200", http.StatusForbidden},
		{"PUT", "PUT", "/photo.jpg/format=webp,quality=75", http.StatusForbidden},
		{"DELETE", "DELETE", "/photo.jpg", http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status := rawRequest(t, s.URL, c.method, c.target)
			if status != c.want {
				t.Errorf("%s %s: %d, want %d", c.method, c.target, status, c.want)
			}
		})
	}
	for _, region := range s.Regions() {
		keys, err := s.Keys(ctx, s.Buckets().Transformed(region), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 0 {
			t.Errorf("%s's transformed bucket holds %q after hostile requests only", region, keys)
		}
	}
}

// rawRequest sends target exactly as written (no client-side cleaning or
// re-encoding) and returns the status.
func rawRequest(t *testing.T, base, method, target string) int {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	req := method + " " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept: " + acceptChrome +
		"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	_ = resp.Body.Close() // only the status is wanted
	return resp.StatusCode
}

// pngHeaderOnly is a PNG whose header claims width×height pixels, with a
// tiny (invalid) image body: decoding it would allocate gigabytes, so the
// converter must refuse it from the header.
func pngHeaderOnly(width, height uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, typ...)
		b = append(b, data...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b
}

// escapePath percent-encodes each segment of key as a browser would.
func escapePath(key string) string {
	segs := strings.Split(key, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return strings.Join(segs, "/")
}

// With signing on, the edge function refuses unsigned and tampered URLs
// with 403 before any origin sees them, and serves signed ones; the
// gallery signs its own URLs.
func TestE2ESignedURLs(t *testing.T) {
	s := startStack(t, func(c *stack.Config) { c.Edge.Signing = true })
	signed := edge.SignURL(s.SigningKey(), "photo.jpg", url.Values{"width": {"200"}}, time.Now().Add(time.Hour))
	if r := s.get(signed, "", acceptChrome); r.Status != http.StatusOK {
		t.Fatalf("signed %s: %d %s", signed, r.Status, truncate(r.Body))
	}
	tampered := strings.Replace(signed, "width=200", "width=2000", 1)
	expired := edge.SignURL(s.SigningKey(), "photo.jpg", url.Values{"width": {"200"}}, time.Now().Add(-time.Minute))
	otherKey := edge.SignURL("not-the-key", "photo.jpg", url.Values{"width": {"200"}}, time.Time{})
	for _, target := range []string{"/photo.jpg?width=200", tampered, expired, otherKey} {
		if r := s.get(target, "", acceptChrome); r.Status != http.StatusForbidden || r.cache() != "FunctionGeneratedResponse from cloudfront" {
			t.Errorf("%s: %d %q, want the function's 403", target, r.Status, r.cache())
		}
	}
	if n := s.Conversions(s.PrimaryRegion()); n != 1 {
		t.Errorf("%d conversions, want only the signed request's", n)
	}
	page := s.get("/", "", "text/html")
	if page.Status != http.StatusOK || strings.Count(string(page.Body), "sig=") < len(stack.GalleryWidths) {
		t.Errorf("gallery: %d, its image URLs are not signed", page.Status)
	}
}
