#!/usr/bin/env python3
"""Merges the rounds benches/compare.sh timed into one file in hyperfine's shape.

    rounds.py OUT ROUND.json...

Each ROUND.json is one `hyperfine --runs 1` over every command of a comparison, so the
commands of a round ran one after the other under the same load. OUT holds, per command, the
times of every round and their median, mean, standard deviation and minimum; and, per round,
the times side by side ("rounds"), from which report.py takes paired ratios: on a shared
machine the load drifts between rounds, and a ratio within a round cancels most of it.
"""
import json
import statistics
import sys

out, files = sys.argv[1], sys.argv[2:]
commands, rounds = [], []
for name in files:
    with open(name) as f:
        results = json.load(f)["results"]
    if not commands:
        commands = [r["command"] for r in results]
    rounds.append({r["command"]: r["times"][0] for r in results})

merged = []
for command in commands:
    times = [r[command] for r in rounds]
    merged.append({
        "command": command,
        "times": times,
        "median": statistics.median(times),
        "mean": statistics.fmean(times),
        "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
        "min": min(times),
        "max": max(times),
    })
with open(out, "w") as f:
    json.dump({"results": merged, "rounds": rounds}, f, indent=1)
