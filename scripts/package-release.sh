#!/bin/sh
# Lays out a release as install.sh and the GitHub Action expect it:
#   OUT/rollwright-TARGET.tar.gz   (Windows: .zip), holding rollwright-TARGET/rollwright[.exe]
#                                  and README.md
#   OUT/SHA256SUMS                 sha256sum's format, one line per archive
#   OUT/VERSION                    the tag, so that "latest" resolves to one release
#   OUT/install.sh
# from BIN/TARGET/rollwright[.exe], one directory per Rust target triple built.
#
# usage: package-release.sh OUT TAG BIN
# Archives are byte-identical for the same binaries and SOURCE_DATE_EPOCH (default: the time of
# the last commit): sorted entries, fixed times, owner 0, no gzip name or time.
set -eu
export LC_ALL=C
[ $# -eq 3 ] || { echo "usage: package-release.sh OUT TAG BIN" >&2; exit 2; }
out="$1" tag="$2" bin="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$tag" in
  v[0-9]*) ;;
  *) echo "package-release.sh: '$tag' is not a tag like v0.1.0" >&2; exit 2 ;;
esac
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct)}"

mkdir -p "$out"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
found=0
for dir in "$bin"/*/; do
  target="$(basename "$dir")"
  case "$target" in
    *-windows-*) exe=rollwright.exe ;;
    *) exe=rollwright ;;
  esac
  [ -f "$dir/$exe" ] || { echo "package-release.sh: $dir has no $exe" >&2; exit 1; }
  name="rollwright-$target"
  mkdir "$stage/$name"
  cp "$dir/$exe" "$stage/$name/$exe"
  cp "$root/README.md" "$stage/$name/README.md"
  chmod 0755 "$stage/$name/$exe"
  chmod 0644 "$stage/$name/README.md"
  find "$stage/$name" -exec touch -h -d "@$epoch" {} +
  case "$exe" in
    *.exe)
      (cd "$stage" && rm -f "$name.zip" && find "$name" -type f | LC_ALL=C sort | zip -X -q "$name.zip" -@)
      mv "$stage/$name.zip" "$out/$name.zip"
      ;;
    *)
      tar -C "$stage" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
        --format=gnu -cf - "$name" | gzip -n >"$out/$name.tar.gz"
      ;;
  esac
  found=$((found + 1))
done
[ "$found" -gt 0 ] || { echo "package-release.sh: no TARGET/rollwright under $bin" >&2; exit 1; }

printf '%s\n' "$tag" >"$out/VERSION"
cp "$root/install.sh" "$out/install.sh"
(
  cd "$out"
  for archive in rollwright-*.tar.gz rollwright-*.zip; do
    [ ! -e "$archive" ] || sha256sum "$archive"
  done >SHA256SUMS
)
echo "package-release.sh: $found archive(s), SHA256SUMS, VERSION and install.sh in $out" >&2
