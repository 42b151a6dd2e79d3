#!/bin/sh
# Benchmarks imgcells against sharp on real photographs: WebP q75 at widths
# 640 and 1280, single thread, interleaved, plus one fresh-process conversion
# each. Installs what it needs (Debian packages when run as root, sharp from
# npm into bench/node_modules), then prints the figures table.
#   bench/run.sh [extra flags for bench/compare, e.g. -rounds 5]
#   bench/run.sh -pngs [flags]    every kind of PNG (bench/pngkinds.sh) instead
#   bench/run.sh -format avif -rounds 3 -cold-runs 3    AVIF (see bench/compare)
set -eu
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"

# Tools: ImageMagick (reference resize), node and npm (sharp), GNU time, and
# what builds the converter's libjpeg-turbo and Little CMS from Debian's
# source packages (cmake, nasm, dpkg-dev; below).
missing=""
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
[ -x /usr/bin/convert ] || missing="$missing imagemagick"
command -v cmake >/dev/null || missing="$missing cmake"
command -v nasm >/dev/null || missing="$missing nasm"
command -v dpkg-source >/dev/null || missing="$missing dpkg-dev"
[ -x /usr/bin/time ] || missing="$missing time" # GNU time: a fresh process's peak RSS
# AVIF runs decode both sides' files with libavif's avifdec for SSIM.
case " $* " in
*" -format avif "* | *" -format=avif "* | *" --format avif "* | *" --format=avif "*)
	command -v avifdec >/dev/null || missing="$missing libavif-bin" ;;
esac
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq
		apt-get install -y --no-install-recommends $missing
	else
		echo "bench: install these Debian packages first:$missing" >&2
		exit 1
	fi
fi
if [ ! -d bench/node_modules/sharp ]; then
	npm install --prefix bench --no-audit --no-fund
fi

# Photographs: 8-20 MP JPEGs from Debian's Lomiri wallpaper packages
# (CC0 / CC-BY / CC-BY-SA, see their copyright files), plus one PNG made
# from another photo of the set.
photos="$out/photos"
if [ ! -f "$photos/.done" ]; then
	mkdir -p "$photos/debs"
	[ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ] || apt-get update -qq
	(cd "$photos/debs" && apt-get download lomiri-wallpapers-16.04 lomiri-wallpapers-20.04)
	for deb in "$photos"/debs/*.deb; do dpkg-deb -x "$deb" "$photos/root"; done
	bg="$photos/root/usr/share/backgrounds"
	for f in Dragonfly_by_Bolly seeding_by_Clements_Engelhardt sunset_by_Aitzol_Berasategi \
		Bridge_by_Sander_Klootwijk picosdeeuropa_by_Aitzol_Berasategi Infinite-Sea_by_Aury88 \
		umang_by_Abhishek_Mudgal; do
		cp "$bg/$f.jpg" "$photos/$f.jpg"
	done
	/usr/bin/convert "$bg/life_by_Aitzol_Berasategi.jpg" -strip PNG24:"$photos/life_by_Aitzol_Berasategi.png"
	touch "$photos/.done"
fi

arch=$(dpkg --print-architecture)
scripts/lcms2.sh "$arch"
scripts/libjpeg-turbo.sh "$arch"
# imgcells' side is built with the C flags of the Lambda zip for this
# architecture (SSE4.1 on amd64, where libwebp encodes faster).
cflags=$(go run ./converter/cmd/buildzip -print-cflags -arch "$(go env GOARCH)")
CGO_CFLAGS="$cflags" go build -o "$out/imgconvert" ./converter/cmd/imgconvert
CGO_CFLAGS="$cflags" go build -o "$out/goharness" ./bench/goharness
go build -o "$out/compare" ./bench/compare
if [ "${1:-}" = -pngs ]; then
	# bench/run.sh -pngs [flags]: the PNG photo as every kind of PNG instead.
	shift
	"$out/compare" -magick /usr/bin/convert -out "$out/pngkinds" "$@" \
		$(sh bench/pngkinds.sh "$photos/root/usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg" "$out/pngs")
	exit
fi
"$out/compare" -magick /usr/bin/convert "$@" "$photos"/*.jpg "$photos"/*.png
