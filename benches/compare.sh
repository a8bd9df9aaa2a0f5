#!/usr/bin/env bash
# Compares rollwright with the tools it replaces, in one run on this machine, and writes
# docs/benchmarks.md. Peers and how to install them: docs/benchmarks.md, "Running it".
#
#   benches/compare.sh [BUNDLES]            (2,000 bundles by default)
#
# The generated repository is measured twice: written as helm and kubectl write YAML, and
# with anchors and aliases for shared maps (gen-corpus --anchors). Wall time by hyperfine,
# peak memory (maximum resident set size) by /usr/bin/time -v. Timings are interleaved rounds
# (every command once per round) and ratios are medians of the ratios within a round.
#
# Environment: KUBECONFORM and HELM (default: from PATH), ARGO_CRDS (directory of the Argo
# Rollouts CRD files; default $ROLLWRIGHT_ARGO_CORPUS/crds), RUNS (timed rounds, 10),
# OUT (the report; default docs/benchmarks.md), PROFILE (what a profile showed, included
# where a target is missed; default benches/profile.md), WORK (a new directory to keep the
# repositories and measurements in; default a temporary one, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bundles=${1:-2000}
runs=${RUNS:-10}
out=${OUT:-docs/benchmarks.md}
kubeconform=${KUBECONFORM:-$(command -v kubeconform || true)}
helm=${HELM:-$(command -v helm || true)}
crds=${ARGO_CRDS:-${ROLLWRIGHT_ARGO_CORPUS:+$ROLLWRIGHT_ARGO_CORPUS/crds}}
need() { echo "compare.sh: $1 (see docs/benchmarks.md, \"Running it\")" >&2; exit 2; }
[ -x "$kubeconform" ] || need "kubeconform not found: install its release binary on PATH, or set KUBECONFORM"
[ -x "$helm" ] || need "helm not found: set HELM or put it on PATH"
[ -n "$crds" ] && [ -d "$crds" ] || need "the Argo Rollouts CRDs: set ARGO_CRDS to their directory"
command -v hyperfine >/dev/null || need "hyperfine not found (apt-get install hyperfine)"
[ -x /usr/bin/time ] || need "/usr/bin/time not found (apt-get install time)"
python3 -c 'import kubernetes_validate, yaml' 2>/dev/null ||
  need "python packages kubernetes-validate and PyYAML not found (pip install kubernetes-validate pyyaml)"

if [ -n "${WORK:-}" ]; then
  mkdir "$WORK"
  work=$(cd "$WORK" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
cores=$(nproc)

echo "building rollwright (release)…" >&2
cargo build --release --quiet --bin rollwright --example gen-corpus
rw=$root/target/release/rollwright
"$root/target/release/examples/gen-corpus" "$work/repo" "$bundles" >"$work/corpus.txt"
"$root/target/release/examples/gen-corpus" --anchors "$work/anchors" "$bundles" >"$work/corpus-anchors.txt"
k8s=$(python3 benches/kubeconform_schemas.py "$work/schemas" "$crds"/*.yaml)
"$rw" export-helm examples/rollouts-demo --output-dir "$work/chart" >/dev/null
location="$work/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json"
kc="$kubeconform -strict -summary -schema-location '$location'"

# Both tools must find both repositories valid, or the comparison means nothing.
for tree in repo anchors; do
  "$rw" validate "$work/$tree" >"$work/rw-check.txt" || { cat "$work/rw-check.txt" >&2; exit 1; }
  eval "$kc -n $cores '$work/$tree'" >"$work/kc-check.txt" || { tail -5 "$work/kc-check.txt" >&2; exit 1; }
done

# Interleaved rounds: each round runs every command once, one after the other, so the load of
# a shared machine weighs on both sides of a ratio alike (report.py takes the median of the
# ratios within rounds); two rounds before them warm the page cache and are not kept.
bench() { # name, then hyperfine's command arguments
  local name=$1 round
  shift
  for round in $(seq -1 "$runs"); do
    hyperfine --style none --runs 1 --export-json "$work/$name.round$round.json" "$@" >&2
  done
  python3 benches/rounds.py "$work/$name.json" $(seq -f "$work/$name.round%g.json" 1 "$runs")
  rm -f "$work/$name".round*.json
}
for tree in repo anchors; do
  name=corpus
  [ "$tree" = anchors ] && name=corpus-anchors
  echo "validating the generated repository ($tree)…" >&2
  bench "$name" -N \
    -n "rollwright validate ($cores threads)" "$rw validate $work/$tree" \
    -n "kubeconform -strict -n $cores" "$kc -n $cores $work/$tree" \
    -n "rollwright validate (1 thread)" "env RAYON_NUM_THREADS=1 $rw validate $work/$tree" \
    -n "kubeconform -strict -n 1" "$kc -n 1 $work/$tree"
done
# Validating and rendering one chart share their rounds: one target is the ratio of the two.
echo "one chart: validating, as a pre-commit hook, and rendering…" >&2
bench chart -N \
  -n "rollwright validate examples/rollouts-demo" "$rw validate examples/rollouts-demo" \
  -n "helm template | kubeconform -strict" "sh -c \"$helm template rollouts-demo $work/chart | $kc -\"" \
  -n "rollwright render examples/rollouts-demo" "$rw render examples/rollouts-demo" \
  -n "helm template (exported chart)" "$helm template rollouts-demo $work/chart"

# The median of three runs' maximum resident set size (KiB), of the whole pipeline.
rss() {
  for _ in 1 2 3; do
    /usr/bin/time -v sh -c "$1 >/dev/null 2>&1" 2>&1 | awk -F': ' '/Maximum resident set size/ {print $2}'
  done | sort -n | sed -n 2p
}
{
  echo "rollwright validate (corpus)	$(rss "$rw validate $work/repo")"
  echo "kubeconform -strict -n $cores (corpus)	$(rss "$kc -n $cores $work/repo")"
  echo "rollwright validate (corpus with anchors)	$(rss "$rw validate $work/anchors")"
  echo "kubeconform -strict -n $cores (corpus with anchors)	$(rss "$kc -n $cores $work/anchors")"
  echo "rollwright validate (chart)	$(rss "$rw validate examples/rollouts-demo")"
  echo "helm template | kubeconform (chart)	$(rss "$helm template rollouts-demo $work/chart | $kc -")"
  echo "rollwright render	$(rss "$rw render examples/rollouts-demo")"
  echo "helm template	$(rss "$helm template rollouts-demo $work/chart")"
} >"$work/rss.tsv"

echo "parse-only floor (cargo bench --bench validate)…" >&2
ROLLWRIGHT_BENCH_TREE="$work/repo" cargo bench --quiet --bench validate 2>/dev/null >"$work/floor.txt"
ROLLWRIGHT_BENCH_TREE="$work/anchors" cargo bench --quiet --bench validate 2>/dev/null >"$work/floor-anchors.txt"

{
  echo "machine	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "os	$(uname -sr)"
  echo "rollwright	$("$rw" --version | cut -d' ' -f2) ($(git rev-parse --short HEAD 2>/dev/null || echo unknown)), $(rustc --version | cut -d' ' -f1-2)"
  echo "kubeconform	$("$kubeconform" -v 2>&1 | head -1)"
  echo "helm	$("$helm" version --short 2>/dev/null)"
  echo "schemas	kubernetes-validate $k8s, Argo Rollouts CRDs from $(basename "$crds")"
  echo "rules	$("$rw" rules | wc -l)"
  echo "corpus	$(sed "s| in .*||" "$work/corpus.txt")"
  echo "corpus with anchors	$(sed "s| in .*||" "$work/corpus-anchors.txt")"
  echo "date	$(date -u +%Y-%m-%d)"
  echo "load average at the end	$(cut -d' ' -f1-3 /proc/loadavg) (on $cores cores; above $cores, other work shared the machine)"
} >"$work/env.tsv"
python3 benches/report.py "$work" "$runs" "${PROFILE:-benches/profile.md}" >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out" >&2
