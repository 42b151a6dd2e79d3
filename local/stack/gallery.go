package stack

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imgcells/contract"
	"imgcells/edge"
)

//go:embed gallery.html
var galleryHTML string

var galleryTemplate = template.Must(template.New("gallery").Funcs(template.FuncMap{
	"kb": func(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) },
}).Parse(galleryHTML))

// GalleryWidths are the widths the gallery shows each image at.
var GalleryWidths = []int{320, 640, 1080}

type galleryImage struct {
	Key   string
	Path  string // URL path of the original, percent-encoded
	Bytes int64
	Views []galleryView
}

type galleryView struct {
	Width  int
	Src    string // 1x
	Srcset string // 1x and 2x
}

type galleryPage struct {
	Images  []galleryImage
	Region  string
	Regions []string
	Bucket  string
	Base    string // http://host of this page, for the commands it shows
}

// serveGallery lists the originals in the primary source bucket and shows
// each at a few widths through the CDN path; the page's script fills in the
// delivered bytes, format and cache status of every image.
func (s *Stack) serveGallery(w http.ResponseWriter, r *http.Request) {
	images, err := s.originals(r.Context())
	if err != nil {
		s.logf("gallery: %v", err)
		http.Error(w, "listing the source bucket failed", http.StatusBadGateway)
		return
	}
	page := galleryPage{Region: s.cfg.ViewerRegion, Regions: s.cfg.Regions, Bucket: s.buckets.PrimarySource(), Base: "http://" + r.Host}
	for _, img := range images {
		for _, width := range GalleryWidths {
			one, two := s.imageURL(img, width), s.imageURL(img, 2*width)
			img.Views = append(img.Views, galleryView{Width: width, Src: one, Srcset: one + " 1x, " + two + " 2x"})
		}
		page.Images = append(page.Images, img)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := galleryTemplate.Execute(w, page); err != nil {
		s.logf("gallery: %v", err)
	}
}

// imageURL is the viewer URL of img at width, signed when the stack's edge
// function checks signatures.
func (s *Stack) imageURL(img galleryImage, width int) string {
	if s.cfg.Edge.Signing {
		return edge.SignURL(s.cfg.SigningKey, img.Key, url.Values{"width": {strconv.Itoa(width)}}, time.Time{})
	}
	return fmt.Sprintf("%s?width=%d", img.Path, width)
}

// originals lists the images in the primary source bucket, sorted by key.
func (s *Stack) originals(ctx context.Context) ([]galleryImage, error) {
	var out []galleryImage
	p := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: aws.String(s.buckets.PrimarySource())})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", s.buckets.PrimarySource(), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if imageTypes[strings.ToLower(extOf(key))] == "" {
				continue
			}
			out = append(out, galleryImage{Key: key, Path: contract.EncodePath(key), Bytes: aws.ToInt64(o.Size)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func extOf(key string) string {
	i := strings.LastIndexByte(key, '.')
	if i < 0 || strings.Contains(key[i:], "/") {
		return ""
	}
	return key[i:]
}
