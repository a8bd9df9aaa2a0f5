#!/bin/sh
# Installs a rollwright release binary: picks the archive for this OS and CPU, checks it against
# the release's SHA256SUMS, and puts `rollwright` into a directory.
#
#   curl -fsSL https://github.com/rollwright/rollwright/releases/latest/download/install.sh | sh
#   sh install.sh --version v0.1.0 --dir /usr/local/bin
#
# Options (each also read from the environment variable in brackets):
#   --version TAG   a release tag such as v0.1.0, or "latest"      [ROLLWRIGHT_VERSION]  (latest)
#   --dir DIR       where `rollwright` goes                        [ROLLWRIGHT_INSTALL_DIR]
#                   (default: $HOME/.local/bin)
#   --base-url URL  where releases are published, laid out as GitHub lays them out:
#                   URL/download/TAG/FILE and URL/latest/download/FILE   [ROLLWRIGHT_BASE_URL]
#                   (default: https://github.com/rollwright/rollwright/releases)
#
# Nothing is installed unless the archive's SHA-256 matches the one in SHA256SUMS and the
# extracted binary runs. Plain http is refused except on the loopback address (a local mirror).
set -eu

project_releases="https://github.com/rollwright/rollwright/releases"

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
  say "error: $1"
  [ -z "${2:-}" ] || say "help: $2"
  exit 1
}

usage() {
  cat <<'USAGE'
Installs a rollwright release binary, checked against the release's SHA256SUMS.

usage: sh install.sh [--version TAG] [--dir DIR] [--base-url URL]

  --version TAG   a release tag such as v0.1.0, or latest   [ROLLWRIGHT_VERSION] (latest)
  --dir DIR       where rollwright goes                     [ROLLWRIGHT_INSTALL_DIR] ($HOME/.local/bin)
  --base-url URL  where releases are published              [ROLLWRIGHT_BASE_URL]
                  (https://github.com/rollwright/rollwright/releases)
USAGE
}

version="${ROLLWRIGHT_VERSION:-latest}"
dir="${ROLLWRIGHT_INSTALL_DIR:-${HOME:-}/.local/bin}"
base_url="${ROLLWRIGHT_BASE_URL:-$project_releases}"

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value" "--version v0.1.0"; version="$2"; shift 2 ;;
    --version=*) version="${1#*=}"; shift ;;
    --dir) [ $# -ge 2 ] || die "--dir needs a value" "--dir /usr/local/bin"; dir="$2"; shift 2 ;;
    --dir=*) dir="${1#*=}"; shift ;;
    --base-url) [ $# -ge 2 ] || die "--base-url needs a value"; base_url="$2"; shift 2 ;;
    --base-url=*) base_url="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1'" "sh install.sh [--version TAG] [--dir DIR] [--base-url URL]" ;;
  esac
done

base_url="${base_url%/}"
case "$base_url" in
  https://*) ;;
  http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | http://\[::1\]:*) ;;
  *) die "refusing to download from '$base_url'" "use an https:// URL (plain http only on 127.0.0.1, for a local mirror)" ;;
esac
case "$version" in
  latest) ;;
  v[0-9]*) ;;
  [0-9]*) version="v$version" ;;
  *) die "'$version' is not a release tag" "give a tag such as v0.1.0, or latest" ;;
esac
case "$version" in
  *[!A-Za-z0-9.+-]*) die "'$version' is not a release tag" "give a tag such as v0.1.0, or latest" ;;
esac
[ -n "$dir" ] || die "no install directory" "pass --dir DIR or set HOME"

# The release's archive for this machine, named by Rust target triple.
os="$(uname -s)"
arch="$(uname -m)"
case "$arch" in
  x86_64 | amd64) cpu=x86_64 ;;
  aarch64 | arm64) cpu=aarch64 ;;
  *) cpu="" ;;
esac
exe=rollwright
ext=tar.gz
case "$os" in
  Linux) [ -z "$cpu" ] || target="$cpu-unknown-linux-musl" ;;
  Darwin) [ -z "$cpu" ] || target="$cpu-apple-darwin" ;;
  MINGW* | MSYS* | CYGWIN*) [ "$cpu" != x86_64 ] || { target="x86_64-pc-windows-msvc"; ext=zip; exe=rollwright.exe; } ;;
esac
[ -n "${target:-}" ] ||
  die "no release archive for $os/$arch (there are archives for Linux and macOS on x86_64 and aarch64, and Windows on x86_64)" \
    "build it from source: cargo install --locked --git https://github.com/rollwright/rollwright rollwright"
archive="rollwright-$target.$ext"

if command -v curl >/dev/null 2>&1; then
  fetch() { curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget --quiet --tries=3 --output-document="$2" "$1"; }
else
  die "neither curl nor wget is installed" "install one of them, or download $archive by hand"
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
elif command -v openssl >/dev/null 2>&1; then
  sha256() { openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1; }
else
  die "no SHA-256 tool (sha256sum, shasum or openssl)" "install coreutils or perl's shasum"
fi

tmp="$(mktemp -d 2>/dev/null || mktemp -d -t rollwright)"
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

# "latest" is resolved once, so the checksums and the archive come from the same release.
if [ "$version" = latest ]; then
  fetch "$base_url/latest/download/VERSION" "$tmp/VERSION" ||
    die "cannot find the latest release at $base_url" "pass --version TAG"
  version="$(tr -d ' \r\n' <"$tmp/VERSION")"
  case "$version" in
    v[0-9]*) ;;
    *) die "the latest release names no usable version" "pass --version TAG" ;;
  esac
  case "$version" in
    *[!A-Za-z0-9.+-]*) die "the latest release names no usable version" "pass --version TAG" ;;
  esac
fi
url="$base_url/download/$version"

say "installing rollwright $version ($target) into $dir"
fetch "$url/SHA256SUMS" "$tmp/SHA256SUMS" ||
  die "cannot download $url/SHA256SUMS" "check that release $version exists"
fetch "$url/$archive" "$tmp/$archive" ||
  die "cannot download $url/$archive" "check that release $version has an archive for $target"

expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")"
[ -n "$expected" ] || die "SHA256SUMS of $version lists no $archive" "the release is incomplete; try another version"
actual="$(sha256 "$tmp/$archive")"
expected="$(printf '%s' "$expected" | tr 'A-F' 'a-f')"
[ "$actual" = "$expected" ] ||
  die "checksum mismatch for $archive: expected $expected, got $actual; nothing was installed" \
    "the download was altered or damaged; retry, and report it if it persists"

mkdir "$tmp/x"
case "$ext" in
  tar.gz) tar -xzf "$tmp/$archive" -C "$tmp/x" ;;
  zip)
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$tmp/$archive" -d "$tmp/x"
    else
      powershell.exe -NoProfile -Command "Expand-Archive -LiteralPath '$tmp/$archive' -DestinationPath '$tmp/x'"
    fi
    ;;
esac
bin="$tmp/x/rollwright-$target/$exe"
[ -f "$bin" ] || die "$archive holds no rollwright-$target/$exe" "the release is malformed; try another version"
chmod 0755 "$bin"
installed="$("$bin" --version 2>/dev/null)" ||
  die "the downloaded binary does not run on this machine ($os/$arch)" "build it from source: cargo install --locked --git https://github.com/rollwright/rollwright rollwright"

# Copied beside the target and renamed over it, so a running rollwright is never half-written.
mkdir -p "$dir"
cp "$bin" "$dir/.$exe.tmp.$$"
chmod 0755 "$dir/.$exe.tmp.$$"
mv -f "$dir/.$exe.tmp.$$" "$dir/$exe"
say "installed $installed at $dir/$exe"
case ":${PATH:-}:" in
  *":$dir:"*) ;;
  *) say "note: $dir is not on PATH; add it, e.g. export PATH=\"$dir:\$PATH\"" ;;
esac
