#!/usr/bin/env bash
# Installs what imgcells needs on a Debian machine, skipping what is there.
#   scripts/deps.sh local   the C libraries the converter links and versitygw,
#                           the S3 server the local stack runs (make local)
#   scripts/deps.sh build   the C libraries for both architectures and the
#                           arm64 cross compiler: what `make converter` and
#                           `pulumi up` need to build the Lambda zip
#   scripts/deps.sh test    all of the above, plus qemu, chromium, njs, the
#                           Lambda runtime emulator, actionlint and
#                           golangci-lint (.ci/run)
# Debian packages need root (or sudo); Go tools go to $(go env GOPATH)/bin.
set -euo pipefail
what=${1:-test}
case "$what" in local|build|test) ;; *) echo "usage: $0 local|build|test" >&2; exit 2 ;; esac

# The converter's cgo codecs: libpng + zlib and libdeflate (PNG), libaom
# (AVIF; its -dev package ships libaom.a); dpkg-dev and patch unpack and
# patch the source packages of Little CMS and libjpeg-turbo, which cmake and
# nasm (libjpeg-turbo's x86 SIMD code) build (below).
apt_pkgs=(gcc libpng-dev zlib1g-dev libdeflate-dev libaom-dev dpkg-dev patch cmake nasm)
if [ "$what" != local ]; then
  # The statically linked arm64 Lambda bootstrap.
  apt_pkgs+=(libpng-dev:arm64 zlib1g-dev:arm64 libdeflate-dev:arm64 libaom-dev:arm64 gcc-aarch64-linux-gnu)
fi
if [ "$what" = test ]; then
  # Its smoke test under emulation; headless Chromium for the gallery test;
  # file to inspect binaries; njs (nginx's JavaScript engine, the closest to
  # CloudFront Functions' runtime) for the edge function's budget tests;
  # ImageMagick, the colour tests' reference conversion; avifdec
  # (libavif-bin), the independent decoder the AVIF tests check output with.
  # libjpeg62-turbo, Debian's own libjpeg-turbo, is what the converter's
  # patched build is compared with, pixel for pixel, on both architectures.
  apt_pkgs+=(qemu-user-static file chromium njs imagemagick libavif-bin libjpeg62-turbo libjpeg62-turbo:arm64)
fi

if [ "$what" = test ]; then
  # GNU time, which bench/compare's test measures a fresh process's peak RSS with.
  apt_pkgs+=(time)
fi

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
# Names without an architecture mean the machine's own (dpkg finds a bare
# name ambiguous once the arm64 one is installed too).
native=$(dpkg --print-architecture)
missing=()
for p in "${apt_pkgs[@]}"; do
  q=$p; [[ $q == *:* ]] || q="$q:$native"
  # (an Architecture: all package, such as dpkg-dev, has no :arch name)
  dpkg -s "$q" >/dev/null 2>&1 || dpkg-query -W -f '${Architecture}\n' "$p" 2>/dev/null | grep -qx all ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}" >&2
  if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' &&
     ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo[@]}" dpkg --add-architecture arm64
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Little CMS 2 (colour profiles): Debian ships it only as a shared library,
# and the Lambda is one static binary, so scripts/lcms2.sh builds liblcms2.a
# from Debian's source package for the machine and, for the Lambda, arm64.
c_arches=("$native")
[ "$what" = local ] || [ "$native" = arm64 ] || c_arches+=(arm64)
"$(dirname "$0")/lcms2.sh" "${c_arches[@]}"

# libjpeg-turbo (JPEG): built the same way, from Debian's source package,
# with the converter's patch to it (converter/internal/jpegturbo/patches).
"$(dirname "$0")/libjpeg-turbo.sh" "${c_arches[@]}"

# Go tools, pinned. versitygw's first install compiles for about 4 minutes.
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
install_tool() { # name module@version
  if [ ! -x "$gobin/$1" ] && ! command -v "$1" >/dev/null 2>&1; then
    echo "deps: go install $2" >&2
    GOBIN="$gobin" go install "$2"
  fi
}
[ "$what" = build ] || install_tool versitygw github.com/versity/versitygw/cmd/versitygw@v1.8.0
if [ "$what" = test ]; then
  install_tool aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
  install_tool actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
  install_tool golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
fi
