#!/usr/bin/env bash
# Builds a static Little CMS 2 (liblcms2.a and lcms2.h) for each architecture
# named (amd64, arm64) from Debian's own source package, with the C compiler
# alone, and links it where the converter's cgo directives look for it:
#   .deps/lcms2-<arch>  ->  $(go env GOPATH)/pkg/imgcells-deps/lcms2-<debian version>-<arch>
# Debian's liblcms2-dev has only the shared library; the Lambda bootstrap is
# statically linked. The upstream release is pinned per Debian suite (the
# Debian revision may move: those are Debian's security fixes). Skips what is
# built already. scripts/deps.sh runs it; it needs root (or sudo) once, to add
# a deb-src entry for the machine's suite.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 amd64|arm64..." >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)

. /etc/os-release
case "${VERSION_CODENAME:-}" in
  bookworm) upstream=2.14 ;;
  trixie) upstream=2.16 ;;
  *) echo "lcms2: no Little CMS release pinned for Debian '${VERSION_CODENAME:-?}' (scripts/lcms2.sh)" >&2; exit 1 ;;
esac

. "$(dirname "$0")/debsrc.sh"
version=$(debsrc_version lcms2 "$upstream")

cache="$(go env GOPATH | cut -d: -f1)/pkg/imgcells-deps"
mkdir -p "$cache" "$root/.deps"
debsrc_dir=""
for arch in "$@"; do
  cc=$(debsrc_cc "$arch")
  out="$cache/lcms2-$version-$arch"
  if [ ! -f "$out/lib/liblcms2.a" ]; then
    [ -n "$debsrc_dir" ] || debsrc_fetch lcms2 "$version"
    dir=$debsrc_dir
    tmp="$out.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp/obj" "$tmp/lib" "$tmp/include"
    echo "lcms2: compiling $version for $arch ($cc)" >&2
    # Deterministic objects: no source path in them, and `ar D`.
    ls "$dir"src/*.c | xargs -P "$(nproc)" -I{} sh -c \
      "$cc -O2 -fPIC -DNDEBUG -ffile-prefix-map='$dir'=lcms2/ -I'$dir'include -c {} -o '$tmp/obj/'\$(basename {} .c).o"
    "${cc%gcc}ar" rcsD "$tmp/lib/liblcms2.a" "$tmp"/obj/*.o
    cp "$dir"include/lcms2.h "$dir"include/lcms2_plugin.h "$tmp/include/"
    echo "$version" > "$tmp/VERSION"
    rm -rf "$tmp/obj" "$out" && mv "$tmp" "$out"
  fi
  ln -sfn "$out" "$root/.deps/lcms2-$arch"
done
