#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's fixtures (idempotent).
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/set_parse corpus/values_load corpus/manifests_validate corpus/diff_normalize corpus/sanitize
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
printf 'x`</summary>\n\n# @team #12 ![i](https://e) www.e\n' >corpus/sanitize/seed-markdown
printf '\033]8;;http://x\033\\l\033[31m\r\342\200\256 ::error::x ##[e]\n  ::add-mask::y' >corpus/sanitize/seed-terminal
printf '../a/./b//c\\d\000e' >corpus/sanitize/seed-path
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
