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

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
# The newest Debian revision of the pinned release the machine's sources offer.
served() { apt-cache showsrc lcms2 2>/dev/null | sed -n 's/^Version: //p' | grep "^$upstream-" | sort -V | tail -1; }
version=$(served || true)
if [ -z "$version" ]; then
  list=/etc/apt/sources.list.d/imgcells-deb-src.sources
  echo "lcms2: adding Debian source entries for $VERSION_CODENAME ($list)" >&2
  printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
    "Suites: $VERSION_CODENAME $VERSION_CODENAME-updates" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
    "Types: deb-src" "URIs: http://deb.debian.org/debian-security" \
    "Suites: $VERSION_CODENAME-security" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
    "${sudo[@]}" tee "$list" >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  version=$(served || true)
  [ -n "$version" ] || { echo "lcms2: Debian's sources offer no lcms2 $upstream" >&2; exit 1; }
fi

cache="$(go env GOPATH | cut -d: -f1)/pkg/imgcells-deps"
mkdir -p "$cache" "$root/.deps"
src=""
for arch in "$@"; do
  case "$arch" in
    amd64) cc=x86_64-linux-gnu-gcc ;;
    arm64) cc=aarch64-linux-gnu-gcc ;;
    *) echo "lcms2: unknown architecture $arch" >&2; exit 2 ;;
  esac
  [ "$arch" != "$(dpkg --print-architecture)" ] || cc=gcc
  out="$cache/lcms2-$version-$arch"
  if [ ! -f "$out/lib/liblcms2.a" ]; then
    if [ -z "$src" ]; then
      src=$(mktemp -d)
      trap 'rm -rf "$src"' EXIT
      echo "lcms2: apt-get source lcms2=$version" >&2
      (cd "$src" && apt-get source -qq "lcms2=$version" >/dev/null 2>&1) ||
        { echo "lcms2: apt-get source lcms2=$version failed" >&2; exit 1; }
    fi
    dir=$(echo "$src"/lcms2-*/)
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
