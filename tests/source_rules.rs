//! Rules about the source that a compiler does not check, checked by reading it.
//!
//! - Every error says how to fix it. A `Diagnostic` is built in one of three ways, each read
//!   here: `Diagnostic::new(…)` chained at once with `.with_help(…)`; `Error::msg(message,
//!   help)` (two arguments, so the compiler refuses one without a help); or the helpers of
//!   `src/error.rs` (`yaml`, `io`, `write`), which fall back to a help of their own. A struct
//!   literal outside `src/error.rs`, or a help taken away afterwards, is refused. The other
//!   error types (`YamlError`, `EditError`, `SchemaError`, …) become diagnostics only through
//!   those constructors.
//! - Every test that needs a peer (helm, kubectl, pre-commit, an upstream corpus, the SARIF
//!   schema, a real API server's answers) is `#[ignore = "needs …"]`, so a plain `cargo test`
//!   reports it as ignored instead of counting a skip as a pass (see tests/common/peers.rs).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of `src` with comments and the contents of string and char literals blanked out
/// (same length, so offsets and line numbers stay), so that code inside strings and comments
/// is not read as code.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = src[i..].find('\n').map_or(b.len(), |e| i + e);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                blank(&mut out, i, end);
                i = end;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = src[start..].find(&close).map_or(b.len(), |e| start + e);
                blank(&mut out, start, end);
                i = end + close.len();
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i + 1, j.min(b.len()));
                i = j + 1;
            }
            // A char literal ('x', '\n', '\''), not a lifetime ('a).
            b'\'' => {
                let end = if b.get(i + 1) == Some(&b'\\') {
                    src[i + 2..].find('\'').map(|e| i + 2 + e)
                } else if b.get(i + 2) == Some(&b'\'') {
                    Some(i + 2)
                } else {
                    src[i + 1..]
                        .char_indices()
                        .nth(1)
                        .filter(|(_, c)| *c == '\'')
                        .map(|(e, _)| i + 1 + e)
                };
                match end {
                    Some(e) => {
                        blank(&mut out, i + 1, e);
                        i = e + 1;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| src.to_owned())
}

/// The offset just past the parenthesis that closes the one before `open`.
fn close_paren(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

fn line_of(code: &str, at: usize) -> usize {
    code[..at].matches('\n').count() + 1
}

/// The construction sites in `code` that give no help.
fn helpless(code: &str, in_error_rs: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("Diagnostic::new(") {
        let end = close_paren(code, at + "Diagnostic::new".len());
        if !code[end..].trim_start().starts_with(".with_help(") {
            out.push((
                line_of(code, at),
                "`Diagnostic::new(…)` without `.with_help(…)` chained to it".into(),
            ));
        }
    }
    if !in_error_rs {
        for (at, _) in code.match_indices("Diagnostic {") {
            let before = code[..at].trim_end();
            // `struct Diagnostic {`, `impl Diagnostic {`, `for Diagnostic {` are not literals.
            if !["struct", "impl", "for", "->"]
                .iter()
                .any(|w| before.ends_with(w))
            {
                out.push((
                    line_of(code, at),
                    "a `Diagnostic { … }` literal (use `Diagnostic::new(…).with_help(…)`)".into(),
                ));
            }
        }
    }
    // A help taken away afterwards (no other error type does this either).
    for pattern in [".help = None", ".help.take()"] {
        for (at, _) in code.match_indices(pattern) {
            out.push((line_of(code, at), format!("`{pattern}`")));
        }
    }
    out
}

#[test]
fn every_error_constructor_gives_a_help() {
    let mut files = Vec::new();
    rust_files(&repo().join("src"), &mut files);
    assert!(files.len() > 50, "src/ was not found");
    let mut problems = Vec::new();
    let mut sites = 0;
    for path in &files {
        let code = code_only(&std::fs::read_to_string(path).unwrap());
        sites += code.matches("Diagnostic::new(").count() + code.matches("Error::msg(").count();
        let rel = path.strip_prefix(repo()).unwrap().display().to_string();
        for (line, what) in helpless(&code, rel == "src/error.rs") {
            problems.push(format!("{rel}:{line}: {what}"));
        }
    }
    assert!(sites > 100, "only {sites} construction sites found");
    assert!(
        problems.is_empty(),
        "every error must say how to fix it:\n{}",
        problems.join("\n")
    );
}

/// The reader of the rule above finds what it must find, and nothing in strings or comments.
#[test]
fn the_help_rule_catches_what_it_must() {
    let bad = [
        "fn f() -> Diagnostic { Diagnostic::new(None, \"x\") }",
        "let d = Diagnostic::new(None, format!(\"a{}\", (1))); d",
        "Error::one(Diagnostic::new(None, \"x\"))",
        "Diagnostic { location: None, message: m, help: Some(h) }",
        "let mut d = Diagnostic::new(None, \"x\").with_help(\"h\"); d.help = None;",
    ];
    for code in bad {
        assert!(
            !helpless(&code_only(code), false).is_empty(),
            "not caught: {code}"
        );
    }
    let good = [
        "Diagnostic::new(None, \"x\").with_help(\"h\")",
        "Diagnostic::new(Some(at(&p)), format!(\"{}\", x(1)))\n    .with_help(h)",
        "// Diagnostic::new(None, \"x\")\nlet s = \"Diagnostic::new(\";",
        "let s = r#\"Diagnostic { \"#; let c = '(';",
        "impl Diagnostic { }",
    ];
    for code in good {
        assert!(
            helpless(&code_only(code), false).is_empty(),
            "wrongly caught: {code}"
        );
    }
}

/// What a test calls when it needs a peer (each a whole word: `data()`, not `metadata()`).
const PEER_CALLS: &[&str] = &[
    "peers::",
    "corpus()",
    "helm()",
    "kubectl()",
    "data()",
    "path_with(",
    "pre_commit_or_skip()",
    "have_pre_commit()",
];

/// The environment variables naming a peer's data (read in the source, where strings are).
const PEER_VARIABLES: &[&str] = &[
    "ROLLWRIGHT_ARGO_CORPUS",
    "ROLLWRIGHT_SARIF_SCHEMA",
    "ROLLWRIGHT_K8S_LIVE",
];

fn calls(code: &str, call: &str) -> bool {
    code.match_indices(call).any(|(i, _)| {
        !code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn every_test_that_needs_a_peer_is_ignored_with_a_reason() {
    let mut files = Vec::new();
    rust_files(&repo().join("tests"), &mut files);
    let mut problems = Vec::new();
    let mut peer_tests = 0;
    for path in files
        .iter()
        .filter(|p| !p.starts_with(repo().join("tests/common")))
    {
        if path.ends_with("source_rules.rs") {
            continue;
        }
        let source = std::fs::read_to_string(path).unwrap();
        let code = code_only(&source);
        let rel = path.strip_prefix(repo()).unwrap().display().to_string();
        for (at, _) in code.match_indices("#[test]") {
            let Some(fn_at) = code[at..].find("fn ").map(|i| at + i) else {
                continue;
            };
            let attributes = &code[at..fn_at];
            let body_open = code[fn_at..].find('{').map_or(code.len(), |i| fn_at + i);
            let body_end = close_paren(&code, body_open);
            let body = &code[body_open..body_end];
            let name = code[fn_at + 3..].split('(').next().unwrap_or("").trim();
            let needs = PEER_CALLS.iter().find(|c| calls(body, c)).or_else(|| {
                PEER_VARIABLES
                    .iter()
                    .find(|v| source[body_open..body_end].contains(*v))
            });
            let ignored = attributes.contains("#[ignore =");
            match needs {
                Some(call) if !ignored => problems.push(format!(
                    "{rel}:{}: {name} calls {call} but is not #[ignore = \"needs …\"]",
                    line_of(&code, fn_at)
                )),
                Some(_) => peer_tests += 1,
                None => {}
            }
        }
    }
    assert!(peer_tests >= 20, "only {peer_tests} peer tests found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `.ci/run` runs the ignored tests too, with missing peers as failures.
#[test]
fn ci_runs_the_ignored_tests_and_requires_their_peers() {
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(ci.contains("export ROLLWRIGHT_REQUIRE_PEERS=1"), "{ci}");
    assert!(
        ci.lines()
            .any(|l| l.starts_with("cargo test -- --include-ignored")),
        "{ci}"
    );
}
