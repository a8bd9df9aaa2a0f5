//! The shape of the source tree, kept as docs/architecture.md describes it: data flows one way
//! (no import circle between modules) and every file stays small enough to read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 1200;

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(src())
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

#[test]
fn no_source_file_is_over_1200_lines() {
    let long: Vec<String> = rust_files()
        .iter()
        .filter_map(|p| {
            let lines = std::fs::read_to_string(p).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", p.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these into files a reader can hold (one concern each; tests may move to a \
         sibling tests.rs):\n{}",
        long.join("\n")
    );
}

/// The module path of a file: `src/values/load.rs` is `["values", "load"]`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The text of a file without comments and without its test module (test code may reach
/// anywhere; the circles that matter are in what ships).
fn shipped_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads an identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The paths a `{ … }` use-group names (first two segments of each), from just after `{`.
fn group(s: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' if depth == 0 => break,
            b'}' => depth -= 1,
            b',' if depth == 0 => item_start = true,
            c if item_start && (c as char).is_alphabetic() => {
                item_start = false;
                let first = ident(&s[i..]);
                let rest = &s[i + first.len()..];
                let mut path = vec![first.to_owned()];
                if let Some(r) = rest.strip_prefix("::") {
                    let second = ident(r);
                    if !second.is_empty() {
                        path.push(second.to_owned());
                    }
                }
                i += first.len();
                out.push(path);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Every module path (its first two segments) that `code` names through `crate::` or
/// `super::`, resolved against `module`.
fn references(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", module[..module.len().saturating_sub(1)].to_vec()),
    ] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            let paths = if let Some(g) = rest.strip_prefix('{') {
                group(g)
            } else {
                let first = ident(rest);
                let mut path = vec![first.to_owned()];
                if let Some(r) = rest[first.len()..].strip_prefix("::")
                    && !ident(r).is_empty()
                {
                    path.push(ident(r).to_owned());
                }
                vec![path]
            };
            for p in paths {
                let mut full = base.clone();
                full.extend(p);
                out.push(full);
            }
        }
    }
    out
}

/// Edges between modules: between top-level modules, and between the direct submodules of
/// one top-level module.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let exists = |parts: &[String]| {
        let base = src().join(parts.join("/"));
        base.with_extension("rs").is_file() || base.is_dir()
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files() {
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let module = module_of(&file);
        if module.len() == 1 && (module[0] == "lib" || module[0] == "main") {
            continue;
        }
        let code = shipped_code(&std::fs::read_to_string(&file).unwrap());
        for target in references(&module, &code) {
            if target.is_empty() {
                continue;
            }
            if target[0] != module[0] {
                if exists(&target[..1]) {
                    edges
                        .entry(module[0].clone())
                        .or_default()
                        .insert(target[0].clone());
                }
            } else if module.len() >= 2
                && target.len() >= 2
                && target[1] != module[1]
                && exists(&target[..2])
            {
                edges
                    .entry(module[..2].join("::"))
                    .or_default()
                    .insert(target[..2].join("::"));
            }
        }
    }
    edges
}

/// The strongly connected components of more than one module (Tarjan).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'e> {
        edges: &'e BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'e str, usize>,
        low: BTreeMap<&'e str, usize>,
        stack: Vec<&'e str>,
        on_stack: BTreeSet<&'e str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'e>(s: &mut State<'e>, v: &'e str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.edges.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

/// `explain::say` picks the language and `en`/`ja` use its sentence types; `input::classify`
/// asks the chart and Helm readers what a file is, and they ask it back.
const KNOWN_INNER_CIRCLES: &[&[&str]] = &[
    &["explain::en", "explain::ja", "explain::say"],
    &["input::charts", "input::classify", "input::helm"],
];

#[test]
fn no_import_circle_between_modules() {
    let edges = edges();
    // The parser must see the edges that are there, or the check below proves nothing.
    for (from, to) in [
        ("validate", "rules"),
        ("rules", "finding"),
        ("report", "finding"),
        ("render", "yaml"),
        ("values::check", "values::provenance"),
    ] {
        assert!(
            edges.get(from).is_some_and(|t| t.contains(to)),
            "{from} -> {to} not seen: {edges:?}"
        );
    }
    let mut found = circles(&edges);
    // Circles among the submodules of one module that are known and not yet taken apart; each
    // must still be a circle (drop it from here once it is gone). None may cross modules.
    for known in KNOWN_INNER_CIRCLES {
        let at = found.iter().position(|c| c == known);
        assert!(
            at.is_some(),
            "{known:?} is no longer a circle: remove it from KNOWN_INNER_CIRCLES"
        );
        found.remove(at.unwrap());
    }
    let text: Vec<String> = found
        .iter()
        .map(|c| {
            let inner: Vec<String> = c
                .iter()
                .map(|m| {
                    let to: Vec<&str> = edges[m]
                        .iter()
                        .filter(|t| c.contains(t))
                        .map(String::as_str)
                        .collect();
                    format!("  {m} -> {}", to.join(", "))
                })
                .collect();
            format!("{}:\n{}", c.join(" / "), inner.join("\n"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "import circles (data flows load → render → parse → validate → report / diff; move \
         what both sides need into the lower module):\n{}",
        text.join("\n")
    );
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    edges.entry("c".into()).or_default().insert("d".into());
    assert_eq!(circles(&edges), vec![vec!["a", "b", "c"]]);
    let module = vec!["values".to_owned(), "check".to_owned()];
    assert_eq!(
        references(
            &module,
            "use crate::{report::{Finding, Severity}, rules};\nuse super::load::Origin;"
        ),
        vec![
            vec!["report"],
            vec!["rules"],
            vec!["values", "load", "Origin"]
        ]
    );
}

/// docs/architecture.md lists the top-level modules lowest first; a module may use only those
/// listed before it (or in its own row), and every module is listed.
#[test]
fn modules_use_only_those_listed_before_them_in_architecture_md() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"),
    )
    .unwrap();
    let mut rank: BTreeMap<String, usize> = BTreeMap::new();
    for (i, row) in doc
        .lines()
        .skip_while(|l| !l.starts_with("| module |"))
        .skip(2)
        .take_while(|l| l.starts_with("| "))
        .enumerate()
    {
        let cell = row.split('|').nth(1).unwrap();
        for name in cell.split(',') {
            rank.insert(name.trim().trim_matches('`').to_owned(), i);
        }
    }
    let edges = edges();
    let mut problems = Vec::new();
    for (from, to) in edges.iter().filter(|(f, _)| !f.contains("::")) {
        for to in to {
            match (rank.get(from), rank.get(to)) {
                (Some(a), Some(b)) if b > a => {
                    problems.push(format!("{from} uses {to}, listed after it"))
                }
                (None, _) => problems.push(format!("{from} is not in the table")),
                (_, None) => problems.push(format!("{to} is not in the table")),
                _ => {}
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
