package converter

import (
	"fmt"
	"testing"

	"imgcells/contract"
)

// AVIF outputs of odd and degenerate sizes (chroma planes of (w+1)/2 ×
// (h+1)/2) decode at the size asked, opaque and transparent alike.
func TestConvertAVIFOddSizes(t *testing.T) {
	for _, file := range []string{"photo.jpg", "alpha.png"} {
		for _, s := range [][2]int{{1, 1}, {1, 9}, {9, 1}, {7, 5}, {33, 17}, {121, 67}} {
			ops := fmt.Sprintf("format=avif,quality=60,width=%d,height=%d,fit=cover", s[0], s[1])
			t.Run(file+"/"+ops, func(t *testing.T) {
				res, err := Convert(photo(t, file), mustVariant(t, ops), DefaultLimits())
				if err != nil {
					t.Fatalf("Convert: %v", err)
				}
				if res.Format != contract.FormatAVIF || res.Width != s[0] || res.Height != s[1] {
					t.Fatalf("%s %dx%d, want avif %dx%d", res.Format, res.Width, res.Height, s[0], s[1])
				}
				decodeOutput(t, res)
			})
		}
	}
}
