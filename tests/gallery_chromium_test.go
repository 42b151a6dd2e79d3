package tests

import (
	"context"
	"errors"
	"html"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"imgcells/local/stack"
)

// ChromiumEnv may name the Chromium binary; otherwise chromium is looked up
// on PATH (Debian's package).
const ChromiumEnv = "IMGCELLS_CHROMIUM"

func findChromium() (string, error) {
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium not found (apt-get install chromium, or set " + ChromiumEnv + ")")
}

var imgTag = regexp.MustCompile(`<img [^>]*>`)
var attr = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)

// galleryInChromium loads the stack's gallery page in a real headless
// Chromium and returns the attributes of every <img> once the page's script
// has annotated them with what the browser decoded.
func galleryInChromium(t *testing.T, s *e2eStack) []map[string]string {
	t.Helper()
	bin, err := findChromium()
	requireTool(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=30000", "--dump-dom", s.URL+"/")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, tail(stderr.String(), 2000))
	}
	dom := string(out)
	if !strings.Contains(dom, `data-annotated="true"`) {
		t.Fatalf("the page's script did not finish; DOM:\n%s\nstderr:\n%s", tail(dom, 3000), tail(stderr.String(), 2000))
	}
	imgs := imgTag.FindAllString(dom, -1)
	if want := galleryImages(t); len(imgs) != want {
		t.Fatalf("%d <img> in the page, want %d", len(imgs), galleryImages(t))
	}
	var tags []map[string]string
	for _, tag := range imgs {
		a := map[string]string{}
		for _, m := range attr.FindAllStringSubmatch(tag, -1) {
			a[m[1]] = html.UnescapeString(m[2])
		}
		tags = append(tags, a)
	}
	return tags
}

// The gallery page loads in a real headless Chromium: every image is
// fetched through the stack, decoded by the browser (naturalWidth > 0),
// and was delivered as AVIF (the dev stack enables it; WebP on a stack
// that does not) because Chromium's Accept header asks for it. The
// gallery's animated GIF is the exception: an animation stays animated,
// as WebP, under its avif key.
func TestGalleryInChromium(t *testing.T) {
	_, err := findChromium()
	requireTool(t, err)
	s := startStack(t, nil)
	tags := galleryInChromium(t, s)
	want := func(src string) string {
		if strings.Contains(src, ".gif") {
			return "image/webp"
		}
		return s.browserType()
	}
	for _, a := range tags {
		natural, _ := strconv.Atoi(a["data-natural-width"])
		delivered, _ := strconv.Atoi(a["data-delivered"])
		if natural <= 0 || a["data-content-type"] != want(a["src"]) || delivered <= 0 {
			t.Errorf("%s: naturalWidth %d, delivered %d bytes as %q; want decoded %s", a["src"], natural, delivered, a["data-content-type"], want(a["src"]))
		}
	}

	// The stack's own record agrees: every image request Chromium made was
	// a 200 of that format, whatever Accept it sent.
	images := 0
	for _, d := range s.Deliveries() {
		if d.Key == "" {
			continue
		}
		images++
		if d.Status != 200 || d.ContentType != want(d.Key) {
			t.Errorf("%s (Accept %q): %d %s", d.URL, d.Accept, d.Status, d.ContentType)
		}
	}
	if images < len(tags) {
		t.Errorf("the stack served %d image requests, want at least %d", images, len(tags))
	}
}

// The gallery's animated GIF (testdata/photos/photo.gif, two frames)
// reaches Chromium as an animation: the browser's own decoder
// (ImageDecoder, given the response Chromium cached) finds two frames in
// each of its variants, and one in every other image. Driven over the
// DevTools protocol on real time: the decoder works off the main thread,
// which a --dump-dom run on virtual time does not wait for.
func TestGalleryAnimationInChromium(t *testing.T) {
	_, err := findChromium()
	requireTool(t, err)
	s := startStack(t, nil)
	c := startCDP(t)
	if err := c.open(s.URL + "/"); err != nil {
		t.Fatal(err)
	}
	if err := c.waitFor(`location.pathname === '/' && document.body && document.body.dataset.annotated === 'true'`, time.Minute); err != nil {
		t.Fatalf("the gallery's script did not finish: %v", err)
	}
	var frames map[string]any
	if err := c.eval(`galleryFrames()`, &frames); err != nil {
		t.Fatal(err)
	}
	if want := galleryImages(t); len(frames) != want {
		t.Errorf("%d images counted, want %d", len(frames), want)
	}
	for src, n := range frames {
		want := 1.0
		if strings.Contains(src, "photo.gif") {
			want = 2
		}
		if n != want {
			t.Errorf("%s: Chromium decodes %v frames, want %v", src, n, want)
		}
	}
}

// With every output over the inline limit, each image reaches Chromium
// through the converter's 302 to the stored object on the local S3 server
// (another origin, on loopback): the browser follows it and decodes the
// image, and each variant is converted once, in the one region serving.
func TestGalleryInChromiumFollowsTooLargeRedirects(t *testing.T) {
	_, err := findChromium()
	requireTool(t, err)
	s := startStack(t, func(c *stack.Config) { c.MaxInlineBytes = 100 })
	tags := galleryInChromium(t, s)
	for _, a := range tags {
		if natural, _ := strconv.Atoi(a["data-natural-width"]); natural <= 0 {
			t.Errorf("%s: naturalWidth %d: the browser did not get the image", a["src"], natural)
		}
	}
	keys := map[string]bool{}
	for _, d := range s.Deliveries() {
		if d.Key == "" {
			continue
		}
		keys[d.Key] = true
		if d.Status != http.StatusFound || d.Origin != "converter" {
			t.Errorf("%s: %d from %s, want the converter's 302", d.URL, d.Status, d.Origin)
		}
	}
	if n := s.Conversions(s.PrimaryRegion()); n != int64(len(keys)) {
		t.Errorf("%d conversions for %d variants", n, len(keys))
	}
}

// galleryImages is how many <img> the gallery of testdata/photos shows:
// each photo at its three widths.
func galleryImages(t *testing.T) int {
	t.Helper()
	photos, err := os.ReadDir("../testdata/photos")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range photos {
		if !p.IsDir() && isImageName(p.Name()) {
			n += 3 // GalleryWidths
		}
	}
	return n
}

func isImageName(name string) bool {
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".gif", ".webp"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return true
		}
	}
	return false
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
