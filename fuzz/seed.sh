#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's fixtures (idempotent).
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/set_parse corpus/values_load corpus/manifests_validate corpus/diff_normalize
i=0
for f in ../fixtures/rules/*/*.yaml ../fixtures/hostile/*.yaml ../fixtures/hostile/*.json; do
  [ -f "$f" ] || continue
  i=$((i + 1))
  head -c 20000 "$f" >"corpus/manifests_validate/seed-$i"
done
cp ../examples/rollouts-demo/values.yaml corpus/values_load/seed-example
i=0
for f in ../fixtures/rules/*/pass.yaml; do
  i=$((i + 1))
  { cat "$f"; printf '\n===\n'; sed 's/replicas: [0-9]*/replicas: 7/; s/image: \(.*\):.*/image: \1:9.9/' "$f"; } >"corpus/diff_normalize/seed-$i"
done
python3 - <<'PY'
import json
cases = json.load(open("../fixtures/helm/set-cases.json"))["cases"]
n = 0
for case in cases:
    for flag, arg in case["flags"]:
        kind = {"--set": 0, "--set-string": 1, "--set-json": 2}.get(flag, 0)
        with open(f"corpus/set_parse/seed-{n}", "wb") as f:
            f.write(bytes([kind]) + arg.encode())
        n += 1
PY
