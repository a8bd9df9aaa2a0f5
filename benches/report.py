#!/usr/bin/env python3
"""Turns the measurements benches/compare.sh collected into docs/benchmarks.md."""
import json
import os
import re
import statistics
import sys

work, runs = sys.argv[1], sys.argv[2]
profile = sys.argv[3] if len(sys.argv) > 3 else "benches/profile.md"


rounds = {}


def results(name):
    with open(os.path.join(work, f"{name}.json")) as f:
        data = json.load(f)
    rounds[name] = data["rounds"]
    return {r["command"]: r for r in data["results"]}


def paired(name, slow, fast):
    """The median over rounds of slow's time over fast's, both timed in the same round."""
    return statistics.median(r[slow] / r[fast] for r in rounds[name])


def ms(r):
    return r["median"] * 1e3


def cell(text):
    """Text for a Markdown table cell: a `|` would end the cell, even inside backticks."""
    return text.replace("|", "\\|")


def table(rows):
    out = ["| command | median | mean ± σ | min |", "|---|---:|---:|---:|"]
    for name, r in rows.items():
        out.append(
            f"| `{cell(name)}` | {ms(r):.1f} ms | {r['mean'] * 1e3:.1f} ± {r['stddev'] * 1e3:.1f} ms | {r['min'] * 1e3:.1f} ms |"
        )
    return "\n".join(out)


def tsv(name):
    with open(os.path.join(work, name)) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


env = dict(tsv("env.tsv"))
rss = {name: int(kb) / 1024 for name, kb in tsv("rss.tsv")}
cores = re.search(r"(\d+) cores", env["machine"]).group(1)
one_chart = results("chart")
VALIDATE, PIPELINE = "rollwright validate examples/rollouts-demo", "helm template | kubeconform -strict"
RENDER, HELM = "rollwright render examples/rollouts-demo", "helm template (exported chart)"
chart = {k: one_chart[k] for k in (VALIDATE, PIPELINE)}
render = {k: one_chart[k] for k in (RENDER, HELM)}
rw_chart, rw_render = one_chart[VALIDATE], one_chart[RENDER]
chart_to_render = paired("chart", VALIDATE, RENDER)
render_ratio = paired("chart", HELM, RENDER)


class Variant:
    """One variant of the generated repository: its timings, memory and floor."""

    def __init__(self, name, label, corpus_key, floor_file):
        self.name, self.label = name, label
        self.runs = results(name)
        self.rw_n = self.runs[f"rollwright validate ({cores} threads)"]
        self.kc_n = self.runs[f"kubeconform -strict -n {cores}"]
        self.rw_1 = self.runs["rollwright validate (1 thread)"]
        self.kc_1 = self.runs["kubeconform -strict -n 1"]
        self.stats = env[corpus_key]
        self.documents = int(re.search(r"(\d+) documents", self.stats).group(1))
        self.throughput = paired(name, f"kubeconform -strict -n {cores}", f"rollwright validate ({cores} threads)")
        self.throughput_1 = paired(name, "kubeconform -strict -n 1", "rollwright validate (1 thread)")
        suffix = "" if name == "corpus" else " with anchors"
        self.rw_rss = rss[f"rollwright validate (corpus{suffix})"]
        self.kc_rss = rss[f"kubeconform -strict -n {cores} (corpus{suffix})"]
        self.floor_text = open(os.path.join(work, floor_file)).read()
        floor = re.search(
            r"generated repository.*?parse only\s+([\d.]+) ms.*?validate\s+([\d.]+) ms.*?\(([\d.]+)x",
            self.floor_text,
            re.S,
        )
        self.parse_ms, self.validate_ms, self.floor_ratio = (float(x) for x in floor.groups())


plain = Variant("corpus", "as helm and kubectl write YAML", "corpus", "floor.txt")
anchors = Variant("corpus-anchors", "with anchors and aliases", "corpus with anchors", "floor-anchors.txt")
variants = [plain, anchors]


def verdict(ok):
    return "met" if ok else "**not met**"


targets = []
for v in variants:
    targets.append((
        f"validate ≥ 5× kubeconform's throughput, repository {v.label} ({cores} cores each)",
        f"{v.throughput:.1f}× ({v.documents / v.rw_n['median']:,.0f} vs {v.documents / v.kc_n['median']:,.0f} documents/s; {ms(v.rw_n):.0f} vs {ms(v.kc_n):.0f} ms)",
        v.throughput >= 5,
    ))
for v in variants:
    targets.append((
        f"peak memory ≤ kubeconform's, repository {v.label}",
        f"{v.rw_rss:.1f} MiB vs {v.kc_rss:.1f} MiB ({v.rw_rss / v.kc_rss:.2f}×)",
        v.rw_rss <= v.kc_rss,
    ))
targets.append((
    "one-chart validate ≤ 1.5× the render of the same chart",
    f"{chart_to_render:.2f}× ({ms(rw_chart):.1f} ms vs {ms(rw_render):.1f} ms)",
    chart_to_render <= 1.5,
))
for v in variants:
    targets.append((
        f"validation ≤ 1.3× the parse-only floor, repository {v.label}",
        f"{v.floor_ratio:.2f}× ({v.validate_ms:.0f} ms vs {v.parse_ms:.0f} ms, in process)",
        v.floor_ratio <= 1.3,
    ))
targets.append((
    "render ≥ 10× `helm template`",
    f"{render_ratio:.1f}× ({ms(rw_render):.1f} ms vs {ms(one_chart[HELM]):.1f} ms)",
    render_ratio >= 10,
))
missed = not all(ok for _, _, ok in targets)
way = ""
if missed and os.path.exists(profile):
    way = open(profile).read().strip() + "\n\n"


def corpus_section(v):
    return f"""### Repository {v.label}

{v.stats}. Whole process, wall time, {runs} interleaved rounds after 2 warm-up rounds:

{table(v.runs)}

One thread each: rollwright {v.throughput_1:.1f}× kubeconform's throughput."""


print(f"""# Benchmarks

Generated by `benches/compare.sh` on {env['date']}; every figure below comes from that one run on
one machine. Do not edit by hand: run the script again.

## Machine and versions

| | |
|---|---|
""" + "\n".join(f"| {k} | {v} |" for k, v in env.items()) + """

## Targets

Each ratio is the median, over the timed rounds, of the two commands' times in one round (each
round runs every command once, one after the other); the times in brackets are each
command's median.

| target | measured | |
|---|---|---|
""" + "\n".join(f"| {t} | {m} | {verdict(ok)} |" for t, m, ok in targets) + f"""

{way}## Validating a repository

The generated repository (`cargo run --release --example gen-corpus -- [--anchors] DIR 2000`,
benches/support/corpus.rs): blue-green bundles (Rollout, active and preview Service, one or
two AnalysisTemplates) and one in eight canary; every file valid for both tools. The anchors
variant writes the same bundles with the maps a bundle shares (labels, Service selectors, probe
actions) as anchors and aliases, the way PyYAML writes an object used twice, and every other
Rollout's pod labels as a merge key (`<<: *id001`) plus one label.
kubeconform checks each document against its JSON schema; rollwright does that and runs its
{env['rules']} rules over the whole set (references across files, analysis, strategy and pod template checks).

{corpus_section(plain)}

{corpus_section(anchors)}

## One chart, as a pre-commit hook sees it

`rollwright validate examples/rollouts-demo` renders the chart and validates the result;
the peer pipeline renders the equivalent Helm chart (`rollwright export-helm`) and pipes it
to kubeconform.

Whole process, wall time, {runs} interleaved rounds (with rendering, below) after 2 warm-up rounds:

{table(chart)}

## Rendering

{table(render)}

## The parse-only floor

In process (`cargo bench --bench validate` on the same repositories): reading and parsing every
file without validating, then the whole validation.

```
{plain.floor_text.strip()}
```

With anchors:

```
{anchors.floor_text.strip()}
```

## Peak memory (maximum resident set size)

Median of three runs of each whole pipeline (`/usr/bin/time -v`).

| command | peak RSS |
|---|---:|
""" + "\n".join(f"| {cell(name)} | {mib:.1f} MiB |" for name, mib in rss.items()) + """

## Running it

```sh
sudo apt-get install hyperfine time            # Debian / Ubuntu
pip install kubernetes-validate pyyaml          # the core Kubernetes schemas
# kubeconform: install its release binary on PATH (https://github.com/yannh/kubeconform/releases)
# helm: https://helm.sh/docs/intro/install/
ARGO_CRDS=path/to/argo-rollouts/manifests/crds benches/compare.sh    # [BUNDLES], default 2000
```

The core Kubernetes schemas come from the kubernetes-validate package and the Argo Rollouts
ones are converted from the CRDs (`benches/kubeconform_schemas.py`), so no run touches the
network. Where a target is missed, the section above it is what a profile showed
(benches/profile.md, written from `perf record` or `valgrind --tool=callgrind` on a release
build).

## Before and after a change

`benches/before_after.sh BEFORE_BIN AFTER_BIN GEN_CORPUS_BIN [BUNDLES]` times `rollwright
validate` of two release builds (each built in its own worktree and `CARGO_TARGET_DIR`) on the
realworld corpus (`$ROLLWRIGHT_ARGO_CORPUS/realworld`, one run over the directory) and on the
generated repository, and prints a table of medians with the change in per cent. A change
that reads trees differently (applications, kustomize, charts in a walk) is measured with it
against the commit before it.
""")
