#!/bin/sh
# Regenerates the colour-managed test images from ../photos/photo.jpg (see
# SOURCES.md). Needs: imagemagick (with lcms), and the profiles beside this
# script: go run ./converter/internal/lcms/testdata/mkprofiles -out testdata/colour
# writes DisplayP3.icc, sRGB-lcms.icc, Gray-gamma18.icc and
# CMYK-synthetic.icc; AdobeRGB1998.icc and ProPhotoRGB.icc come from
# Debian's colord-data (/usr/share/color/icc/colord/). Run from this folder.
set -eu
IM=/usr/bin/convert # ImageMagick 6, called by its packaged path
src=../photos/photo.jpg
# (-strip would keep ImageMagick from writing the profile.) The photo is untagged sRGB: the first -profile assigns sRGB, the second
# converts to the target space and embeds its profile.
to() { p=$1; shift; $IM "$src" +profile "*" -resize 240x -profile sRGB-lcms.icc -intent Perceptual -profile "$p" "$@"; }
to AdobeRGB1998.icc -quality 92 adobergb.jpg
to DisplayP3.icc -quality 92 displayp3.jpg
to DisplayP3.icc -quality 90 displayp3.webp
to ProPhotoRGB.icc -depth 8 -define png:exclude-chunks=date,time PNG24:prophoto.png
# CMYK: ImageMagick's own CMYK separation (Adobe inverted in the file), then
# the synthetic press profile attached, not converted to.
$IM "$src" -strip -resize 240x -colorspace CMYK -quality 92 -profile CMYK-synthetic.icc cmyk-profile.jpg
# Grey: the grey photo with a gamma 1.8 grey profile attached.
$IM ../photos/gray.jpg -strip -resize 240x -quality 92 -profile Gray-gamma18.icc gray-gamma18.jpg
