#!/usr/bin/env bash
# The Helm differential test (tests/helm_differential.rs) with more cases than CI runs, and a
# seed of your choice: every generated values file and flag set is rendered by rollwright and
# by `helm template` of the exported chart, and must render the same or be refused by design
# (fixtures/helm/differences.json).
#
#   benches/helm_differential.sh [CASES] [SEED]      (10,000 cases, seed 0x5EED0017 by default)
#
# helm is HELM, else `helm` on PATH. The closing lines give the figures: cases, the same (and
# how many of them both refused), refused by design per row, failures, and the time each side
# took.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-10000}
seed=${2:-1592590359}
helm=${HELM:-$(command -v helm || true)}
[ -x "$helm" ] || { echo "helm_differential.sh: helm not found: set HELM or put it on PATH" >&2; exit 2; }
ROLLWRIGHT_HELM="$helm" ROLLWRIGHT_HELM_DIFF_CASES="$cases" ROLLWRIGHT_HELM_DIFF_SEED="$seed" \
  ROLLWRIGHT_REQUIRE_PEERS=1 \
  cargo test --release --test helm_differential generated_values -- --nocapture
