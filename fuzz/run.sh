#!/bin/sh
# Runs every fuzz target for SECONDS each (600 by default), one after another, seeding each
# from the repository's fixtures; prints each target's last libFuzzer status line.
# Needs cargo-fuzz (`cargo install --locked cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets
# it use the sanitizer flags.
set -eu
cd "$(dirname "$0")"
seconds=${1:-600}
export RUSTC_BOOTSTRAP=1
./seed.sh
for target in set_parse values_load manifests_validate diff_normalize sanitize; do
  cargo fuzz run -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    >"artifacts-$target.log" 2>&1 || { echo "$target: crashed, see fuzz/artifacts-$target.log"; exit 1; }
  echo "$target: $(grep -E '^#[0-9]+' "artifacts-$target.log" | tail -1)"
done
