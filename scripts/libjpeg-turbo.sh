#!/usr/bin/env bash
# Builds a static libjpeg-turbo (libjpeg.a and its headers) for each
# architecture named (amd64, arm64) from Debian's own source package, with
# the converter's changes to it applied
# (converter/internal/jpegturbo/patches/*.patch: a faster decoder for the
# refinement scans of progressive JPEGs, bit-exact with the original; large
# objects on 2 MB boundaries with the kernel's huge-page advice; progressive
# decoding by row bands, without a whole-image coefficient buffer; raw chroma
# planes at a smaller DCT scale than the luma's when asked), and
# links it where the converter's cgo directives look for it:
#   .deps/libjpeg-turbo-<arch>  ->  $(go env GOPATH)/pkg/imgcells-deps/libjpeg-turbo-<debian version>-<patch digest>-<arch>
# Needs cmake, nasm (the x86 SIMD code) and, for arm64 on another machine,
# aarch64-linux-gnu-gcc; scripts/deps.sh installs them and runs this. Skips
# what is built already; a changed patch (or this script) builds anew.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 amd64|arm64..." >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)

# The release the patches are written against, the same on bookworm and trixie.
upstream=2.1.5
. "$(dirname "$0")/debsrc.sh"
version=$(debsrc_version libjpeg-turbo "$upstream")

patches=("$root"/converter/internal/jpegturbo/patches/*.patch)
# The patches and this recipe: a change to either builds anew.
digest=$(cat "${patches[@]}" "$0" | sha256sum | cut -c1-12)
cache="$(go env GOPATH | cut -d: -f1)/pkg/imgcells-deps"
mkdir -p "$cache" "$root/.deps"
debsrc_dir=""
for arch in "$@"; do
  cc=$(debsrc_cc "$arch")
  case "$arch" in amd64) proc=x86_64 ;; arm64) proc=aarch64 ;; esac
  out="$cache/libjpeg-turbo-${version#*:}-$digest-$arch"
  if [ ! -f "$out/lib/libjpeg.a" ]; then
    if [ -z "$debsrc_dir" ]; then
      debsrc_fetch libjpeg-turbo "$version"
      for p in "${patches[@]}"; do
        patch -d "$debsrc_dir" -p1 --quiet --forward < "$p" ||
          { echo "libjpeg-turbo: $(basename "$p") does not apply to Debian's $version" >&2; exit 1; }
      done
    fi
    dir=$debsrc_dir
    tmp="$out.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp/build" "$tmp/lib" "$tmp/include"
    echo "libjpeg-turbo: compiling $version for $arch ($cc)" >&2
    # Deterministic objects (no source path in them) and archive (`ar D`):
    # the same bytes on every machine, so the Lambda zip is too. (The policy
    # minimum lets CMake 4, which refuses 2.1.5's old minimum, configure it.)
    (cd "$tmp/build" && cmake -G "Unix Makefiles" -Wno-dev \
      -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$proc" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
      -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
      -DCMAKE_C_ARCHIVE_CREATE="<CMAKE_AR> qcD <TARGET> <OBJECTS>" \
      -DCMAKE_C_ARCHIVE_APPEND="<CMAKE_AR> qD <TARGET> <OBJECTS>" \
      -DCMAKE_C_ARCHIVE_FINISH="<CMAKE_RANLIB> -D <TARGET>" \
      -DCMAKE_C_FLAGS="-ffile-prefix-map=$dir=libjpeg-turbo/" \
      -DENABLE_SHARED=OFF -DWITH_TURBOJPEG=OFF "$dir" >/dev/null &&
      make -j "$(nproc)" jpeg-static >/dev/null) ||
      { echo "libjpeg-turbo: building for $arch failed (in $tmp/build)" >&2; exit 1; }
    cp "$tmp/build/libjpeg.a" "$tmp/lib/"
    # nasm names each x86 SIMD object's source file, path and all, in a
    # symbol nothing uses: dropped, with the path.
    "${cc%gcc}objcopy" -D --wildcard --strip-symbol='*.asm' "$tmp/lib/libjpeg.a"
    cp "$dir"jpeglib.h "$dir"jmorecfg.h "$dir"jerror.h "$tmp/build/jconfig.h" "$tmp/include/"
    echo "$version with $(for p in "${patches[@]}"; do basename "$p"; done | tr '\n' ' ')" > "$tmp/VERSION"
    rm -rf "$tmp/build" "$out" && mv "$tmp" "$out"
  fi
  ln -sfn "$out" "$root/.deps/libjpeg-turbo-$arch"
done
