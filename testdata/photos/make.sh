#!/bin/sh
# Regenerates the test photos from two Debian wallpaper photographs.
# Needs: apt-get download lomiri-wallpapers-16.04 (the photos), imagemagick,
# webp (cwebp). Run from this folder: ./make.sh
set -eu
IM=/usr/bin/convert # ImageMagick 6, called by its packaged path
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download lomiri-wallpapers-16.04 >/dev/null && dpkg-deb -x lomiri-wallpapers-16.04_*.deb root)
bg=$work/root/usr/share/backgrounds
land=$bg/seeding_by_Clements_Engelhardt.jpg
port=$bg/friends_by_Aitzol_Berasategi.jpg

# JPEG: baseline 4:2:0, progressive, grayscale, CMYK (Adobe, inverted), portrait.
$IM "$land" -strip -resize 480x -quality 85 -sampling-factor 2x2 photo.jpg
$IM photo.jpg -strip -interlace Plane -quality 85 progressive.jpg
$IM photo.jpg -strip -colorspace Gray -quality 85 gray.jpg
$IM photo.jpg -strip -colorspace CMYK -quality 90 cmyk.jpg
$IM "$port" -strip -resize x360 -quality 85 portrait.jpg

# PNG: 8-bit RGB, 16-bit RGB, palette, RGBA with a soft round mask.
$IM photo.jpg -strip -depth 8 PNG24:photo.png
$IM photo.jpg -strip -resize 240x -depth 16 PNG48:photo16.png
$IM photo.jpg -strip -resize 240x -colors 200 PNG8:palette.png
$IM photo.jpg -strip -resize 240x \
	\( -size 240x135 xc:black -fill white -draw "circle 120,67 120,4" -blur 0x2 \) \
	-alpha off -compose CopyOpacity -composite PNG32:alpha.png

# GIF: two frames; the converter takes the first (the photo, not its mirror).
$IM photo.jpg -strip -resize 240x -colors 128 \( +clone -flop \) -delay 50 photo.gif

# WebP: lossy opaque, lossless with alpha.
cwebp -quiet -q 80 photo.png -o photo.webp
cwebp -quiet -lossless alpha.png -o alpha.webp
