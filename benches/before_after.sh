#!/usr/bin/env bash
# Times `rollwright validate` of two builds on the same inputs, to show what a change costs:
# the realworld corpus (163 files from 60 public repositories, one run over the directory) and
# the generated benchmark repository (benches/support/corpus.rs). Prints a Markdown table of
# medians; docs/benchmarks.md ("Before and after") keeps the latest.
#
#   benches/before_after.sh BEFORE_BIN AFTER_BIN GEN_CORPUS_BIN [BUNDLES]
#
# Build each side in its own tree and target directory, e.g.
#   git worktree add /tmp/before REV && (cd /tmp/before && CARGO_TARGET_DIR=/tmp/before-target \
#     cargo build --release --bin rollwright)
# Environment: ROLLWRIGHT_ARGO_CORPUS (holds realworld/), RUNS (hyperfine runs, 10).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BEFORE_BIN AFTER_BIN GEN_CORPUS_BIN [BUNDLES]" >&2; exit 2; }
before=$1 after=$2 gen=$3 bundles=${4:-2000} runs=${RUNS:-10}
realworld=${ROLLWRIGHT_ARGO_CORPUS:?set ROLLWRIGHT_ARGO_CORPUS (its realworld/ is timed)}/realworld
command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" "$work/repo" "$bundles" >/dev/null

# Findings make validate exit non-zero on the realworld files (-i): the time is what counts.
time_both() { # name, input
  hyperfine -N -i --style none --warmup 2 --runs "$runs" --export-json "$work/$1.json" \
    -n before "$before validate $2" -n after "$after validate $2" >/dev/null 2>&1
}
time_both realworld "$realworld"
time_both generated "$work/repo"

python3 - "$work" "$bundles" <<'PY'
import json, os, sys
work, bundles = sys.argv[1], sys.argv[2]
def medians(name):
    with open(os.path.join(work, f"{name}.json")) as f:
        r = {x["command"]: x for x in json.load(f)["results"]}
    return r["before"]["median"] * 1e3, r["after"]["median"] * 1e3, r["before"]["stddev"] * 1e3, r["after"]["stddev"] * 1e3
print("| input | before: median (σ) | after: median (σ) | change |")
print("|---|---:|---:|---:|")
for name, label in [("realworld", "realworld corpus (163 files, one run)"),
                    ("generated", f"generated repository ({bundles} bundles)")]:
    b, a, bs, as_ = medians(name)
    print(f"| {label} | {b:.1f} ms ({bs:.1f}) | {a:.1f} ms ({as_:.1f}) | {(a - b) / b * 100:+.0f} % |")
PY
