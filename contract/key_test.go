package contract

import (
	"net/url"
	"testing"
)

func TestCDNPathEncodesLikeTheEdge(t *testing.T) {
	png := Variant{Format: FormatPNG}
	cases := []struct {
		key  string
		v    Variant
		want string
	}{
		{"products/shoe.jpg", Variant{Format: FormatWebP, Quality: 75, Width: 640}, "/products/shoe.jpg/format=webp,quality=75,width=640"},
		{"summer sale/red shoe.jpg", png, "/summer%20sale/red%20shoe.jpg/format=png"},
		{"c++/a+b.jpg", png, "/c%2B%2B/a%2Bb.jpg/format=png"},
		{"100%/50%20off.jpg", png, "/100%25/50%2520off.jpg/format=png"},
		{"café/x(1)!*'.jpg", png, "/caf%C3%A9/x%281%29%21%2A%27.jpg/format=png"},
		{"a?b#c.jpg", png, "/a%3Fb%23c.jpg/format=png"},
		{"a~b_c-d.e", Variant{Format: FormatJPEG, Quality: 80, Width: 1, Height: 2}, "/a~b_c-d.e/format=jpeg,quality=80,width=1,height=2"},
	}
	for _, c := range cases {
		got := CDNPath(c.key, c.v)
		if got != c.want {
			t.Errorf("CDNPath(%q, %s) = %q, want %q", c.key, c.v, got, c.want)
		}
		if dec, err := url.PathUnescape(got); err != nil || dec != "/"+VariantKey(c.key, c.v) {
			t.Errorf("CDNPath(%q) decodes to %q (%v), want \"/\" + VariantKey", c.key, dec, err)
		}
	}
}
