package converter

// orient returns the raster turned so it displays upright, undoing EXIF
// orientation o (1–8). Orientations 5–8 swap width and height. It runs after
// resizing, on the small image.
func orient(r *raster, o int) *raster {
	if o <= 1 || o > 8 {
		return r
	}
	w, h, ch := r.w, r.h, r.ch
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := newRaster(ow, oh, ch)
	for y := range oh {
		row := out.pix[y*ow*ch : (y+1)*ow*ch]
		for x := range ow {
			var sx, sy int
			switch o {
			case 2: // mirrored horizontally
				sx, sy = w-1-x, y
			case 3: // rotated 180°
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored vertically
				sx, sy = x, h-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // needs a 90° clockwise turn
				sx, sy = y, h-1-x
			case 7: // transversed
				sx, sy = w-1-y, h-1-x
			case 8: // needs a 90° counter-clockwise turn
				sx, sy = w-1-y, x
			}
			s := (sy*w + sx) * ch
			copy(row[x*ch:x*ch+ch], r.pix[s:s+ch])
		}
	}
	return out
}
