#!/bin/sh
# Makes the benchmark's PNG photo again as each kind of PNG the converter
# decodes (8-bit RGB and RGBA, palette with and without transparency, grey,
# 16-bit RGB and RGBA, Adam7-interlaced 8- and 16-bit) and prints their
# paths. The 16-bit ones go through linear light and back, so their low
# bytes carry detail as a real 16-bit photo's do.
#   bench/pngkinds.sh SOURCE-PHOTO OUT-FOLDER
set -eu
src=$1 dir=$2
c=/usr/bin/convert
mkdir -p "$dir"
if [ ! -f "$dir/.done" ]; then
	$c "$src" -strip PNG24:"$dir/rgb8.png"
	$c "$src" -strip -alpha set -channel A -fx '0.5+0.5*i/w' +channel PNG32:"$dir/rgba8.png"
	$c "$src" -strip -dither FloydSteinberg -colors 256 PNG8:"$dir/palette.png"
	$c "$src" -strip -alpha set -channel A -fx 'i<w/2?1:0' +channel -colors 255 PNG8:"$dir/palette-trns.png"
	$c "$src" -strip -colorspace Gray -depth 8 PNG:"$dir/grey8.png"
	$c "$src" -strip -depth 16 -colorspace RGB -colorspace sRGB PNG48:"$dir/rgb16.png"
	$c "$src" -strip -alpha set -channel A -fx '0.5+0.5*i/w' +channel -depth 16 -colorspace RGB -colorspace sRGB PNG64:"$dir/rgba16.png"
	$c "$src" -strip -interlace PNG PNG24:"$dir/rgb8-interlaced.png"
	$c "$src" -strip -depth 16 -colorspace RGB -colorspace sRGB -interlace PNG PNG48:"$dir/rgb16-interlaced.png"
	touch "$dir/.done"
fi
ls "$dir"/*.png
