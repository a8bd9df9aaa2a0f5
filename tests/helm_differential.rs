//! Differential test against the real helm: values files and flag sets, generated from a seed
//! over the example's keys (odd scalars, merge keys and anchors, lists, escapes, nulls,
//! several documents), are rendered by rollwright and by `helm template` of the chart
//! `rollwright export-helm` writes. The objects must be the same, types included, or both
//! sides must refuse the input; where only rollwright refuses, its message must match a row
//! of `fixtures/helm/differences.json`, and every row must be met.
//!
//! helm is `ROLLWRIGHT_HELM`, else `helm` on PATH (`.ci/run` installs it). Without helm the
//! comparison is skipped, unless `ROLLWRIGHT_REQUIRE_PEERS=1`, when it fails.
//! `ROLLWRIGHT_HELM_DIFF_CASES` (default 1,000) and `ROLLWRIGHT_HELM_DIFF_SEED` choose the
//! cases; `benches/helm_differential.sh` runs many more.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rollwright::values::{self, ValuesInput};
use rollwright::yaml;
use serde_json::Value;

/// The helm binary, or `None` when the comparison must be skipped.
fn helm() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ROLLWRIGHT_HELM") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("helm"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("ROLLWRIGHT_REQUIRE_PEERS").as_deref() != Ok("1"),
            "helm is not on PATH and ROLLWRIGHT_REQUIRE_PEERS=1 (run ../shared/tools/install-peers.sh)"
        );
        eprintln!("skipped: helm is not on PATH (run ../shared/tools/install-peers.sh)");
    }
    found
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One generated input: a `-f` file (maybe) and flags, in command-line order.
#[derive(Debug, Clone)]
struct Case {
    file: Option<String>,
    flags: Vec<(&'static str, String)>,
}

impl Case {
    fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(f) = &self.file {
            out.push_str(&format!("-f <<EOF\n{f}EOF\n"));
        }
        for (flag, arg) in &self.flags {
            out.push_str(&format!("{flag} {}\n", shell_quote(arg)));
        }
        out
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// What one side made of a case.
#[derive(Debug)]
enum Outcome {
    Objects(BTreeMap<(String, String), Value>),
    Refused(String),
}

/// Objects of a rendered stream by (kind, name), read as kubectl reads them.
fn objects(text: &str) -> Result<BTreeMap<(String, String), Value>, String> {
    let docs = yaml::parse_documents(text).map_err(|e| format!("unreadable output: {e}"))?;
    let mut out = BTreeMap::new();
    for doc in docs {
        let v = doc.value;
        let key = (
            v["kind"].as_str().unwrap_or_default().to_owned(),
            v["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        if out.insert(key.clone(), v).is_some() {
            return Err(format!("{key:?} rendered twice"));
        }
    }
    Ok(out)
}

/// rollwright's side, in process: load, render, write, and read back.
fn ours(chart: &Path, file: Option<&Path>, flags: &[(&str, String)]) -> Outcome {
    let pick = |name: &str| -> Vec<String> {
        flags
            .iter()
            .filter(|(f, _)| *f == name)
            .map(|(_, a)| a.clone())
            .collect()
    };
    let input = ValuesInput {
        chart: chart.to_path_buf(),
        files: file.map(Path::to_path_buf).into_iter().collect(),
        set: pick("--set"),
        set_string: pick("--set-string"),
        set_json: pick("--set-json"),
        name: None,
    };
    let rendered = values::load(&input)
        .and_then(|loaded| rollwright::render::render(&loaded, None))
        .and_then(|objects| rollwright::render::output::to_stream(&objects));
    match rendered {
        Ok(text) => match objects(&text) {
            Ok(o) => Outcome::Objects(o),
            Err(e) => Outcome::Refused(format!("rollwright wrote {e}")),
        },
        Err(e) => Outcome::Refused(e.to_string()),
    }
}

fn theirs(helm: &Path, exported: &Path, file: Option<&Path>, flags: &[(&str, String)]) -> Outcome {
    let mut cmd = Command::new(helm);
    cmd.arg("template").arg("rollouts-demo").arg(exported);
    if let Some(f) = file {
        cmd.arg("-f").arg(f);
    }
    for (flag, arg) in flags {
        cmd.arg(flag).arg(arg);
    }
    let out = cmd.output().expect("helm runs");
    if !out.status.success() {
        return Outcome::Refused(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    match objects(&String::from_utf8_lossy(&out.stdout)) {
        Ok(o) => Outcome::Objects(o),
        Err(e) => Outcome::Refused(format!("helm wrote {e}")),
    }
}

/// The first differences between two renders, one line each.
fn differences(
    a: &BTreeMap<(String, String), Value>,
    b: &BTreeMap<(String, String), Value>,
) -> Vec<String> {
    fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, va) in x {
                    match y.get(k) {
                        Some(vb) => walk(&format!("{path}/{k}"), va, vb, out),
                        None => out.push(format!("{path}/{k}: rollwright {va}, helm absent")),
                    }
                }
                for (k, vb) in y {
                    if !x.contains_key(k) {
                        out.push(format!("{path}/{k}: rollwright absent, helm {vb}"));
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                    walk(&format!("{path}/{i}"), va, vb, out);
                }
            }
            // Strict: 3 and 3.0 differ, as they do to the API server's decoder.
            _ if a != b => out.push(format!("{path}: rollwright {a}, helm {b}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (key, va) in a {
        match b.get(key) {
            Some(vb) => walk(&format!("{} {}", key.0, key.1), va, vb, &mut out),
            None => out.push(format!("{key:?}: only rollwright renders it")),
        }
    }
    for key in b.keys().filter(|k| !a.contains_key(*k)) {
        out.push(format!("{key:?}: only helm renders it"));
    }
    out
}

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

// Scalars as a values file writes them, by what the key takes; most are odd but valid, a
// few are not (both sides must then refuse, or rollwright by design).
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "3.0",
    "0x3",
    "1e0",
    "1_0",
    "-0",
    "010",
    "+2",
    "2.0e0",
    "0o7",
    "0B11",
    "!!int \"4\"",
    "12",
    "30",
    "1__2",
    "0b1_1",
];
const BAD_INTS: &[&str] = &["\"3\"", "3.5", "~", "yes", "-3"];
const TAGS: &[&str] = &[
    "\"1.29\"",
    "'1.30'",
    "v1.2.3",
    "20240101",
    "latest",
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "!!str 1.10",
    "2001-12-14",
    "\"010\"",
    "1.29-alpine",
    "\"1e3\"",
    "+1",
    "-1",
];
const ODD_TAGS: &[&str] = &[
    "0x1F",
    "1e3",
    "010",
    "1.0",
    "1.10",
    "20240101123456789",
    "9223372036854775808",
    "yes",
    "1_000",
    "\"\"",
    "1.29",
    "1__0",
    "0O17",
    ".5",
    "~",
];
const BOOLS: &[&str] = &[
    "true",
    "false",
    "True",
    "FALSE",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "Y",
    "N",
    "Yes",
    "ON",
    "!!bool yes",
    "!!bool \"false\"",
];
const BAD_BOOLS: &[&str] = &["tRUE", "yES", "\"true\"", "1", "oN"];
const KEYS: &[&str] = &[
    "team",
    "tier",
    "yES",
    "y",
    "on",
    "1.0e6",
    "010",
    "0x10",
    "app.kubernetes.io/part-of",
    "\"quoted key\"",
    "2001-12-14",
    "'single'",
    "n",
    "true",
    "3.14159265358979",
    "-0.0",
    "1e400",
    "!!str 010",
    "100000.0",
    "0.00001",
    "OFF",
];
const STRINGS: &[&str] = &[
    "web",
    "\"yes\"",
    "'on'",
    "\"0x1F\"",
    "\"1.10\"",
    "\"a\\tb\"",
    "\"é\\u00e9\"",
    "'it''s'",
    "plain text",
    "\"#hash\"",
    "\"a: b\"",
    "\"\"",
    "yES",
    "2001-12-14",
    "1e400",
    "'~'",
    "\"line\\nbreak\"",
    "\"{{args.x}}\"",
    "!!str 0755",
    "!!str yes",
    "tRUE",
    "0x",
    "1-2-3",
    "12:30",
    "._5",
    "\"\\u00a0nbsp\"",
    "!foo custom",
    "!!binary aGVsbG8=",
];
const BAD_STRINGS: &[&str] = &["1", "0x1F", "1.5", "true", "on", "[a]"];
const QUANTITIES: &[&str] = &[
    "100m", "0.5", "1", "\"1\"", "1.0", "1e3", "0x10", ".5", "1.50", "2", "1_0", "250m",
];
const MEMORY: &[&str] = &["64Mi", "1e3", "\"128Mi\"", "1_000", "1Gi", "512Mi", "1e6"];

fn int(r: &mut Rng) -> &'static str {
    if r.chance(8) {
        r.pick(BAD_INTS)
    } else {
        r.pick(INTS)
    }
}

fn tag(r: &mut Rng) -> &'static str {
    if r.chance(35) {
        r.pick(ODD_TAGS)
    } else {
        r.pick(TAGS)
    }
}

fn boolean(r: &mut Rng) -> &'static str {
    if r.chance(10) {
        r.pick(BAD_BOOLS)
    } else {
        r.pick(BOOLS)
    }
}

fn string(r: &mut Rng) -> &'static str {
    if r.chance(5) {
        r.pick(BAD_STRINGS)
    } else {
        r.pick(STRINGS)
    }
}

fn string_map(r: &mut Rng, indent: &str) -> String {
    let n = 1 + r.below(3);
    let mut keys: Vec<&str> = Vec::new();
    for _ in 0..n {
        let k = r.pick(KEYS);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if r.chance(40) {
        let body: Vec<String> = keys.iter().map(|k| format!("{k}: {}", string(r))).collect();
        format!(" {{{}}}\n", body.join(", "))
    } else {
        let mut out = String::from("\n");
        for k in keys {
            out.push_str(&format!("{indent}  {k}: {}\n", string(r)));
        }
        out
    }
}

/// One top-level entry of a values file.
fn snippet(r: &mut Rng) -> String {
    const WEIGHTS: &[(usize, usize)] = &[
        (0, 6),
        (1, 10),
        (2, 10),
        (3, 8),
        (4, 10),
        (5, 5),
        (6, 6),
        (7, 5),
        (8, 4),
        (9, 3),
        (10, 7),
        (11, 6),
        (12, 4),
        (13, 2),
        (14, 3),
        (15, 3),
        (16, 4),
    ];
    let total: usize = WEIGHTS.iter().map(|w| w.1).sum();
    let mut roll = r.below(total);
    let mut which = 0;
    for &(i, w) in WEIGHTS {
        if roll < w {
            which = i;
            break;
        }
        roll -= w;
    }
    match which {
        0 => format!("replicaCount: {}\n", int(r)),
        1 => {
            let mut s = format!("image:\n  tag: {}\n", tag(r));
            if r.chance(30) {
                s.push_str(&format!(
                    "  repository: {}\n",
                    r.pick(&["ghcr.io/acme/shop", "nginx", "\"registry:5000/app\"", "~"])
                ));
            }
            if r.chance(30) {
                s.push_str(&format!(
                    "  pullPolicy: {}\n",
                    r.pick(&["Always", "IfNotPresent", "Never", "\"Always\"", "always"])
                ));
            }
            s
        }
        2 => format!(
            "{}:{}",
            r.pick(&["labels", "podLabels", "annotations", "podAnnotations", "nodeSelector"]),
            string_map(r, "")
        ),
        3 => {
            let mut s = String::from("service:\n");
            if r.chance(60) {
                s.push_str(&format!(
                    "  port: {}\n",
                    r.pick(&["80", "8080", "8080.0", "0x1F90", "1e3", "0o17", "\"8080\"", "~"])
                ));
            }
            if r.chance(40) {
                s.push_str(&format!(
                    "  targetPort: {}\n",
                    r.pick(&["8080", "http", "\"8080\"", "8080.0", "web", "0x50", "~"])
                ));
            }
            if r.chance(30) {
                s.push_str(&format!(
                    "  type: {}\n",
                    r.pick(&["ClusterIP", "NodePort", "LoadBalancer", "\"NodePort\"", "clusterip"])
                ));
            }
            if r.chance(30) {
                s.push_str(&format!("  labels:{}", string_map(r, "  ")));
            }
            if s == "service:\n" {
                s.push_str(&format!("  portName: {}\n", r.pick(&["web", "\"http\"", "y"])));
            }
            s
        }
        4 => {
            let mut s = String::from("rollout:\n");
            if r.chance(40) {
                s.push_str(&format!("  revisionHistoryLimit: {}\n", int(r)));
            }
            if r.chance(30) {
                s.push_str(&format!("  minReadySeconds: {}\n", int(r)));
            }
            s.push_str("  strategy:\n    blueGreen:\n");
            s.push_str(&format!("      autoPromotionEnabled: {}\n", boolean(r)));
            if r.chance(40) {
                s.push_str(&format!(
                    "      previewService: {}\n",
                    r.pick(&["~", "\"\"", "rollouts-demo-preview", "other-preview"])
                ));
            }
            if r.chance(40) {
                s.push_str(&format!("      scaleDownDelaySeconds: {}\n", int(r)));
            }
            if r.chance(20) {
                s.push_str(&format!("      autoPromotionSeconds: {}\n", int(r)));
            }
            s
        }
        5 => format!(
            "readinessProbe:\n  httpGet:\n    path: {}\n    port: {}\n  periodSeconds: {}\n",
            r.pick(&["/", "/healthz", "\"/ready\""]),
            r.pick(&["http", "80", "8080.0", "0x50"]),
            r.pick(&["5", "5.0", "1e1", "0x5", "010", "2.5"])
        ),
        6 => format!(
            "resources:\n  requests:\n    cpu: {}\n    memory: {}\n  limits:\n    cpu: {}\n",
            r.pick(QUANTITIES),
            r.pick(MEMORY),
            r.pick(QUANTITIES)
        ),
        7 => {
            let n = 1 + r.below(2);
            let mut s = String::from("env:\n");
            for i in 0..n {
                s.push_str(&format!("  - name: V{i}\n    value: {}\n", string(r)));
            }
            s
        }
        8 => format!(
            "imagePullSecrets: {}\n",
            r.pick(&["[{name: regcred}]", "[]", "[{name: \"a\"}, {name: b}]", "~"])
        ),
        9 => format!(
            "podAnnotations:\n  script: |\n    #!/bin/sh\n    echo \"{}\"\n  folded: >-\n    one\n    two\n  kept: |+\n    x\n\n",
            r.pick(&["a: b", "yes", "--- x", "{{ x }}"])
        ),
        // Merge keys and anchors.
        10 => r
            .pick(&[
                "service: {port: 9090, <<: {port: 8080, portName: web}}\n",
                "service:\n  <<: {port: 8080}\n  port: 9090\n",
                "service: {<<: {port: 1}, <<: {port: 2}}\n",
                "service:\n  <<: [{port: 1}, {port: 2, type: NodePort}]\n",
                "podLabels: &pl {tier: web}\nlabels:\n  <<: *pl\n  team: shop\n",
                "podAnnotations: &pa\n  a: \"1\"\nannotations: *pa\n",
                "labels: &l {a: b}\npodLabels: {<<: [*l, {c: d}], a: z}\n",
                "nodeSelector: &ns {disk: ssd}\npodLabels: *ns\n",
                "service:\n  <<: ~\n",
                "image: &i\n  tag: \"2.0\"\n  <<: {repository: ghcr.io/acme/web, tag: \"3.0\"}\n",
                "labels: !!map {a: !!str 1}\n",
                "podAnnotations: {!!merge <<: {a: b}}\n",
            ])
            .to_owned(),
        // Nulls, with and without a value under them.
        11 => r
            .pick(&[
                "rollout:\n  strategy:\n    blueGreen:\n      previewService: null\n",
                "readinessProbe: null\n",
                "livenessProbe: ~\n",
                "resources: null\n",
                "analysisTemplates: null\n",
                "serviceAccountName: null\n",
                "rollout:\n  minReadySeconds: ~\n",
                "resources:\n  limits:\n    memory: null\n",
                "rollout:\n  strategy:\n    blueGreen:\n      scaleDownDelaySeconds: ~\n      autoPromotionEnabled: NULL\n",
                "image:\n  pullPolicy: Null\n",
                "labels: {a: null, b: x}\n",
                "service:\n  port: null\n",
            ])
            .to_owned(),
        12 => format!(
            "ports: {}\n",
            r.pick(&[
                "[{name: http, containerPort: 8080}]",
                "[{containerPort: 8080.0}]",
                "[]",
                "[{name: web, containerPort: 0x1F90, protocol: UDP}]",
            ])
        ),
        13 => r
            .pick(&[
                "labels: {a: \"1\", a: \"2\"}\n",
                "podAnnotations: {1: a, \"1\": b}\n",
                "labels: {y: a, \"true\": b}\n",
            ])
            .to_owned(),
        14 => format!(
            "serviceAccountName: {}\n",
            r.pick(&["app", "\"\"", "'yes'", "yES", "\"0755\""])
        ),
        15 => format!("namespace: {}\n", r.pick(&["shop", "\"prod\"", "\"n\"", "NO"])),
        _ => format!(
            "rollout:\n  strategy:\n    blueGreen:\n      prePromotionAnalysis:\n        templates:\n          - templateName: success-rate\n        args:\n          - name: service-name\n            value: {}\n",
            string(r)
        ),
    }
}

fn values_file(r: &mut Rng) -> String {
    let n = 1 + r.below(4);
    let mut parts: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..n {
        let s = snippet(r);
        // One top-level key once per document; a repeated key starts the next document.
        let keys: Vec<String> = s
            .lines()
            .filter(|l| !l.starts_with(' ') && l.contains(':'))
            .map(|l| l.split(':').next().unwrap_or_default().to_owned())
            .collect();
        if keys.iter().any(|k| seen.contains(k)) {
            parts.push(format!("---\n{s}"));
            seen = keys;
            continue;
        }
        if r.chance(8) {
            parts.push(format!("---\n{s}"));
            seen = keys;
            continue;
        }
        seen.extend(keys);
        parts.push(s);
    }
    let mut text = parts.concat();
    if r.chance(2) {
        text.push_str("...\nreplicaCount: 1\n");
    }
    text
}

/// What a `--set` path takes.
#[derive(Clone, Copy)]
enum Takes {
    Int,
    Tag,
    Str,
    Bool,
    Port,
    Quantity,
}

const SET_PATHS: &[(&str, Takes)] = &[
    ("image.tag", Takes::Tag),
    ("replicaCount", Takes::Int),
    ("labels.x", Takes::Str),
    ("service.port", Takes::Int),
    (
        "rollout.strategy.blueGreen.autoPromotionEnabled",
        Takes::Bool,
    ),
    ("podAnnotations.note", Takes::Str),
    ("imagePullSecrets[0].name", Takes::Str),
    ("labels.app\\.kubernetes\\.io/part-of", Takes::Str),
    ("service.targetPort", Takes::Port),
    ("resources.limits.cpu", Takes::Quantity),
    ("rollout.strategy.blueGreen.previewService", Takes::Str),
    ("serviceAccountName", Takes::Str),
    ("env[0].name", Takes::Str),
    ("rollout.revisionHistoryLimit", Takes::Int),
    ("nodeSelector.disk", Takes::Str),
];

fn set_value(r: &mut Rng, takes: Takes, json: bool) -> &'static str {
    let pool: &[&str] = match (takes, json) {
        (Takes::Int, false) => &["0", "3", "12", "-0", "+4", "00"],
        (Takes::Tag, false) => &[
            "1.29",
            "v2",
            "010",
            "0x1F",
            "1e3",
            "20240101",
            "1.0",
            "latest",
            "20240101123456789",
        ],
        (Takes::Str, false) => &[
            "web",
            "with space",
            "é",
            "1.29",
            "v2",
            "a\\,b",
            "0x1F",
            "yes",
            "\\{x}",
        ],
        (Takes::Bool, false) => &["true", "TRUE", "false", "falſe", "False"],
        (Takes::Port, false) => &["8080", "http", "web"],
        (Takes::Quantity, false) => &["1", "500m", "2", "0.5", "1e3"],
        (Takes::Int, true) => &["3", "1.0", "-0", "2e0", "12"],
        (Takes::Tag, true) => &[
            "\"1.10\"",
            "\"v3\"",
            "1e3",
            "20240101123456789",
            "20240101",
            "\"010\"",
        ],
        (Takes::Str, true) => &[
            "\"web\"",
            "\"yes\"",
            "\"1.10\"",
            "\"a,b\"",
            "\"\\u00e9\"",
            "\"\"",
        ],
        (Takes::Bool, true) => &["true", "false"],
        (Takes::Port, true) => &["8080", "\"http\"", "8080.0"],
        (Takes::Quantity, true) => &["1", "0.5", "\"250m\"", "1.0", "2.50"],
    };
    if r.chance(7) {
        let anything: &[&str] = if json {
            &["null", "{\"a\":\"b\"}", "[\"x\"]", "2.5", "true", "\"s\""]
        } else {
            &["null", "{a,b}", "", "1.0", "TRUE", "x"]
        };
        return r.pick(anything);
    }
    r.pick(pool)
}

fn set_flag(r: &mut Rng) -> (&'static str, String) {
    match r.below(20) {
        0..=9 => {
            let n = 1 + r.below(2);
            let parts: Vec<String> = (0..n)
                .map(|_| {
                    let (path, takes) = r.pick(SET_PATHS);
                    format!("{path}={}", set_value(r, takes, false))
                })
                .collect();
            ("--set", parts.join(","))
        }
        10..=11 => {
            let (path, takes) = r.pick(SET_PATHS);
            (
                "--set-string",
                format!("{path}={}", set_value(r, takes, false)),
            )
        }
        12..=15 => {
            let (path, takes) = r.pick(SET_PATHS);
            (
                "--set-json",
                format!("{path}={}", set_value(r, takes, true)),
            )
        }
        16..=17 => (
            "--set-json",
            r.pick(&[
                "{\"replicaCount\":2.0,\"image\":{\"tag\":\"1.30\"}}",
                " {\"labels\":{\"a\":\"b\"},\"service\":{\"port\":8081}}",
                "{\"image\":{\"tag\":1e3}}",
                "{\"replicaCount\":-0}",
                "[1]",
                "{}",
                "{\"podAnnotations\":{\"n\":\"1.10\"},\"resources\":{\"limits\":{\"cpu\":0.50}}}",
                "{\"image\":{\"tag\":20240101123456789}}",
                "{\"rollout\":{\"strategy\":{\"blueGreen\":{\"previewService\":null}}}}",
            ])
            .to_owned(),
        ),
        18 => (
            "--set",
            r.pick(&[
                "imagePullSecrets[0].name=",
                "imagePullSecrets[0].name=,",
                "env[0].name=A,env[0].value=",
                "env[0].name=A,env[0].value=,",
                "=1",
                "labels..x=1",
                "service.port=null",
                "image.repository=null",
                "labels.a=1,labels.a.b=2",
            ])
            .to_owned(),
        ),
        _ => (
            "--set",
            format!(
                "imagePullSecrets[{}].name=regcred",
                r.pick(&["0", "1", "00", "+0"])
            ),
        ),
    }
}

fn generate(seed: u64, n: usize) -> Vec<Case> {
    let mut r = Rng(seed | 1);
    (0..n)
        .map(|_| {
            let file = r.chance(65).then(|| values_file(&mut r));
            let flags = (0..r.below(4)).map(|_| set_flag(&mut r)).collect();
            Case { file, flags }
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct Table {
    rows: Vec<Row>,
}

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    refusal: String,
}

fn table() -> Table {
    let text = std::fs::read_to_string(common::repo().join("fixtures/helm/differences.json"))
        .expect("fixtures/helm/differences.json");
    serde_json::from_str(&text).expect("the differences table is JSON")
}

#[test]
#[ignore = "needs helm"]
fn generated_values_and_flags_render_as_helm_renders_them_or_are_refused_by_design() {
    let Some(helm) = helm() else { return };
    let cases = env_number("ROLLWRIGHT_HELM_DIFF_CASES", 1_000) as usize;
    let seed = env_number("ROLLWRIGHT_HELM_DIFF_SEED", 0x5EED_0017);
    let table = table();

    let tmp = tempfile::tempdir().unwrap();
    let source = common::example();
    let exported = tmp.path().join("rollouts-demo");
    let r = common::run(&[
        "export-helm",
        source.to_str().unwrap(),
        "--output-dir",
        exported.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "export-helm: {}", r.stderr);

    let generated = generate(seed, cases);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome, Outcome)>> = Mutex::new(Vec::new());
    // Time spent on each side, all workers together, for the closing line.
    let spent: Mutex<[std::time::Duration; 2]> = Mutex::default();
    // helm is a process per case; a few at a time keep both cores busy.
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = generated.get(i) else { break };
                    let file = case.file.as_ref().map(|text| {
                        let path = tmp.path().join(format!("case-{i}.yaml"));
                        std::fs::write(&path, text).unwrap();
                        path
                    });
                    let started = std::time::Instant::now();
                    let a = ours(&source, file.as_deref(), &case.flags);
                    let middle = std::time::Instant::now();
                    let b = theirs(&helm, &exported, file.as_deref(), &case.flags);
                    {
                        let mut spent = spent.lock().unwrap();
                        spent[0] += middle - started;
                        spent[1] += middle.elapsed();
                    }
                    results.lock().unwrap().push((i, a, b));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);

    let (mut same, mut both_refused) = (0, 0);
    let mut by_row: BTreeMap<&str, usize> = table.rows.iter().map(|r| (r.id.as_str(), 0)).collect();
    let mut failures = Vec::new();
    for (i, a, b) in &results {
        let case = &generated[*i];
        match (a, b) {
            (Outcome::Objects(x), Outcome::Objects(y)) => {
                let d = differences(x, y);
                if d.is_empty() {
                    same += 1;
                } else {
                    failures.push(format!(
                        "case {i}: rendered differently:\n{}{}",
                        case.describe(),
                        d.iter()
                            .take(8)
                            .map(|l| format!("  {l}\n"))
                            .collect::<String>()
                    ));
                }
            }
            (Outcome::Refused(e), Outcome::Refused(h)) => {
                same += 1;
                both_refused += 1;
                if std::env::var_os("ROLLWRIGHT_HELM_DIFF_VERBOSE").is_some() {
                    eprintln!(
                        "both refuse case {i}: {}\n  helm: {}",
                        e.lines().next().unwrap_or_default(),
                        h.lines().last().unwrap_or_default()
                    );
                }
            }
            (Outcome::Refused(e), Outcome::Objects(_)) => {
                match table.rows.iter().find(|row| e.contains(&row.refusal)) {
                    Some(row) => *by_row.entry(row.id.as_str()).or_default() += 1,
                    None => failures.push(format!(
                        "case {i}: only rollwright refuses, and no row of the table says why:\n{}  {}\n",
                        case.describe(),
                        e.replace('\n', "\n  ")
                    )),
                }
            }
            (Outcome::Objects(_), Outcome::Refused(e)) => failures.push(format!(
                "case {i}: only helm refuses:\n{}  {}\n",
                case.describe(),
                e.trim().replace('\n', "\n  ")
            )),
        }
    }
    let refused: usize = by_row.values().sum();
    eprintln!(
        "{} cases (seed {seed:#x}): {same} the same ({both_refused} of them refused by both), {refused} refused by design, {} failures",
        results.len(),
        failures.len()
    );
    for (id, n) in &by_row {
        eprintln!("  {id}: {n}");
    }
    let spent = spent.into_inner().unwrap();
    eprintln!(
        "  time, all {workers} workers together: rollwright {:.1?}, helm {:.1?}",
        spent[0], spent[1]
    );
    let unmet: Vec<&&str> = by_row
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| id)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        results.len(),
        failures
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        cases < 1_000 || unmet.is_empty(),
        "rows of fixtures/helm/differences.json no generated case met: {unmet:?}"
    );
}

#[test]
fn the_generator_is_deterministic_and_varied() {
    let a = generate(7, 200);
    let b = generate(7, 200);
    assert_eq!(
        a.iter().map(Case::describe).collect::<Vec<_>>(),
        b.iter().map(Case::describe).collect::<Vec<_>>()
    );
    let with_file = a.iter().filter(|c| c.file.is_some()).count();
    let with_flags = a.iter().filter(|c| !c.flags.is_empty()).count();
    assert!(
        with_file > 100 && with_flags > 100,
        "{with_file} {with_flags}"
    );
    let merges = a
        .iter()
        .filter(|c| c.file.as_deref().is_some_and(|f| f.contains("<<")))
        .count();
    assert!(merges > 3, "{merges}");
}

/// kubectl, as for helm: `ROLLWRIGHT_KUBECTL`, else on PATH.
fn kubectl() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ROLLWRIGHT_KUBECTL") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("kubectl"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("ROLLWRIGHT_REQUIRE_PEERS").as_deref() != Ok("1"),
            "kubectl is not on PATH and ROLLWRIGHT_REQUIRE_PEERS=1"
        );
        eprintln!("skipped: kubectl is not on PATH");
    }
    found
}

/// The objects of `fixtures/helm/odd-manifests.yaml` as rollwright reads them equal what
/// kubectl would send the API server: `kubectl annotate --local -o json` decodes a file as
/// `kubectl apply` does, without a cluster. (`periodSeconds: 3.0` is sent as 3, which the API
/// server takes; `3.5` would be refused there, and by `rollwright validate`.)
#[test]
#[ignore = "needs kubectl"]
fn manifests_read_as_kubectl_reads_them() {
    let path = common::repo().join("fixtures/helm/odd-manifests.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ours: Vec<Value> = yaml::parse_documents(&text)
        .unwrap()
        .into_iter()
        .map(|d| d.value)
        .collect();
    // Pinned, so that the reading is checked without kubectl too.
    let pod = &ours[0];
    assert_eq!(
        pod["spec"]["containers"][0]["readinessProbe"]["periodSeconds"],
        3
    );
    assert_eq!(pod["spec"]["terminationGracePeriodSeconds"], 31);
    assert_eq!(pod["spec"]["automountServiceAccountToken"], "tRUE");
    assert_eq!(pod["metadata"]["annotations"]["1e+06"], "b");
    assert_eq!(
        pod["spec"]["containers"][0]["startupProbe"]["periodSeconds"],
        1
    );
    let Some(kubectl) = kubectl() else { return };
    const MARK: &str = "rollwright.test/probe";
    let out = Command::new(kubectl)
        .args(["annotate", "--local", "-o", "json", "-f"])
        .arg(&path)
        .arg(format!("{MARK}=x"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let theirs: Vec<Value> = serde_json::Deserializer::from_str(&stdout)
        .into_iter::<Value>()
        .map(|v| {
            let mut v = v.unwrap();
            let annotations = v["metadata"]["annotations"].as_object_mut().unwrap();
            annotations.remove(MARK);
            if annotations.is_empty() {
                v["metadata"].as_object_mut().unwrap().remove("annotations");
            }
            v
        })
        .collect();
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        let key = |v: &Value| {
            (
                "".to_owned(),
                v["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        };
        let d = differences(
            &BTreeMap::from([(key(a), a.clone())]),
            &BTreeMap::from([(key(b), b.clone())]),
        );
        assert!(
            d.is_empty(),
            "rollwright and kubectl read differently:\n{}",
            d.join("\n")
        );
    }
}

/// `validate` judges a manifest as the API server gets it from kubectl: `fALSE` is a string
/// (refused where a boolean goes), `periodSeconds: 5.0` is sent as 5 (accepted), `2.5` is a
/// float (refused in an int32 field).
#[test]
fn validate_sees_what_kubectl_sends() {
    let rendered = common::run(&["render", common::example().to_str().unwrap()]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    assert!(
        rendered
            .stdout
            .contains("      autoPromotionEnabled: false\n")
    );
    assert!(rendered.stdout.contains("          periodSeconds: 5\n"));
    let dir = tempfile::tempdir().unwrap();
    let check = |from: &str, to: &str| {
        let path = dir.path().join("manifest.yaml");
        std::fs::write(&path, rendered.stdout.replacen(from, to, 1)).unwrap();
        common::run(&["validate", path.to_str().unwrap()])
    };
    let r = check("autoPromotionEnabled: false", "autoPromotionEnabled: fALSE");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("`spec.strategy.blueGreen.autoPromotionEnabled` must be a boolean, found the string \"fALSE\""),
        "{}",
        r.stdout
    );
    let r = check("autoPromotionEnabled: false", "autoPromotionEnabled: OFF");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = check("periodSeconds: 5", "periodSeconds: 5.0");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = check("periodSeconds: 5", "periodSeconds: 2.5");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("readinessProbe.periodSeconds` must be an integer, found the number 2.5"),
        "{}",
        r.stdout
    );
}
