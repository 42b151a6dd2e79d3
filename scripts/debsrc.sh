# Sourced by the scripts that build a C library from Debian's own source
# package (scripts/lcms2.sh, scripts/libjpeg-turbo.sh).
#   debsrc_version <source package> <upstream release>
# prints the newest Debian revision of that release the machine's apt
# sources offer (epoch included), adding deb-src entries for the machine's
# suite first when they offer none (root or sudo needed, once).
debsrc_version() {
  local pkg=$1 upstream=$2 version list
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  # A Debian version is [epoch:]upstream-revision.
  served() { apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | grep -E "^([0-9]+:)?$upstream-" | sort -V | tail -1; }
  version=$(served || true)
  if [ -z "$version" ]; then
    . /etc/os-release
    list=/etc/apt/sources.list.d/imgcells-deb-src.sources
    echo "$pkg: adding Debian source entries for $VERSION_CODENAME ($list)" >&2
    printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
      "Suites: $VERSION_CODENAME $VERSION_CODENAME-updates" "Components: main" \
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
      "Types: deb-src" "URIs: http://deb.debian.org/debian-security" \
      "Suites: $VERSION_CODENAME-security" "Components: main" \
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
      "${sudo[@]}" tee "$list" >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    version=$(served || true)
    [ -n "$version" ] || { echo "$pkg: Debian's sources offer no $pkg $upstream" >&2; return 1; }
  fi
  echo "$version"
}

# debsrc_cc <arch> prints the C compiler for a Debian architecture: gcc for
# the machine's own, the cross compiler otherwise.
debsrc_cc() {
  if [ "$1" = "$(dpkg --print-architecture)" ]; then echo gcc; return; fi
  case "$1" in
    amd64) echo x86_64-linux-gnu-gcc ;;
    arm64) echo aarch64-linux-gnu-gcc ;;
    *) echo "unknown architecture $1 (amd64 or arm64)" >&2; return 2 ;;
  esac
}

# debsrc_fetch <source package> <version> unpacks that source package, with
# Debian's patches applied, into a temporary directory removed when the
# script exits, and sets debsrc_dir to its source tree (call it directly,
# not in $(...): the directory lives as long as the calling shell).
debsrc_fetch() {
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "'"$tmp"'"' EXIT
  echo "$1: apt-get source $1=$2" >&2
  (cd "$tmp" && apt-get source -qq "$1=$2" >/dev/null 2>&1) ||
    { echo "$1: apt-get source $1=$2 failed" >&2; return 1; }
  debsrc_dir=$(echo "$tmp/$1"-*/)
}
