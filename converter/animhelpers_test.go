package converter

import (
	"image"
	"testing"

	"imgcells/converter/internal/webpanim"
)

// decodedAnimation is an animated WebP decoded frame by frame with
// libwebp's WebPAnimDecoder.
type decodedAnimation struct {
	info   webpanim.Info
	frames []*image.NRGBA
	ms     []int // each frame's duration
}

func decodeAnimation(t testing.TB, data []byte) decodedAnimation {
	t.Helper()
	d, info, err := webpanim.NewDecoder(data)
	if err != nil {
		t.Fatalf("decoding the animation: %v", err)
	}
	defer d.Close()
	a := decodedAnimation{info: info}
	prev := 0
	for range info.Frames {
		m := image.NewNRGBA(image.Rect(0, 0, info.Width, info.Height))
		end, err := d.Next(m.Pix)
		if err != nil {
			t.Fatalf("frame %d: %v", len(a.frames), err)
		}
		a.frames = append(a.frames, m)
		a.ms = append(a.ms, end-prev)
		prev = end
	}
	return a
}
