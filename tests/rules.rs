//! Every rule in the registry has a failing and a passing fixture under `fixtures/rules/<ID>/`.
//!
//! `fail.yaml` marks each expected finding with a `# expect: ID[, ID…]` comment: on a line with
//! content the finding is expected on that line, on a comment-only line on the line above. The
//! findings of `fail.yaml` must be exactly the expected ones (no other rule may fire), and
//! `pass.yaml` must produce no finding at all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rollwright::input::InputOptions;
use rollwright::validate::{Options, validate};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
}

fn findings(path: &Path) -> (BTreeSet<(u32, String)>, Vec<String>) {
    let report = validate(&Options {
        inputs: InputOptions {
            paths: vec![path.to_path_buf()],
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    assert!(
        report.input_errors.is_empty(),
        "{}: {:?}",
        path.display(),
        report.input_errors
    );
    let set = report
        .findings
        .iter()
        .map(|f| (f.line, f.rule.to_owned()))
        .collect();
    let text = report
        .findings
        .iter()
        .map(|f| format!("{}:{} {} {}", f.line, f.column, f.rule, f.message))
        .collect();
    (set, text)
}

fn expectations(path: &Path) -> BTreeSet<(u32, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some((before, ids)) = line.split_once("# expect:") else {
            continue;
        };
        let at = if before.trim().is_empty() { i } else { i + 1 };
        for id in ids.split(',') {
            out.insert((at as u32, id.trim().to_owned()));
        }
    }
    out
}

#[test]
fn every_rule_has_fixtures_that_fail_and_pass() {
    let mut problems = Vec::new();
    for rule in rollwright::rules::all() {
        let dir = fixtures().join(rule.id);
        let (fail, pass) = (dir.join("fail.yaml"), dir.join("pass.yaml"));
        if !fail.is_file() || !pass.is_file() {
            problems.push(format!(
                "{}: missing fixtures/rules/{}/fail.yaml or pass.yaml",
                rule.id, rule.id
            ));
            continue;
        }
        let expected = expectations(&fail);
        if !expected.iter().any(|(_, id)| id == rule.id) {
            problems.push(format!(
                "{}: fail.yaml expects no {} finding",
                rule.id, rule.id
            ));
        }
        let (got, text) = findings(&fail);
        if got != expected {
            problems.push(format!(
                "{}: fail.yaml\n    expected {:?}\n    got      {:?}\n    {}",
                rule.id,
                expected,
                got,
                text.join("\n    ")
            ));
        }
        let (got, text) = findings(&pass);
        if !got.is_empty() {
            problems.push(format!(
                "{}: pass.yaml is not clean:\n    {}",
                rule.id,
                text.join("\n    ")
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn fixture_directories_match_rules() {
    let ids: BTreeSet<String> = rollwright::rules::all().map(|r| r.id.to_owned()).collect();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            ids.contains(&name),
            "fixtures/rules/{name} belongs to no rule"
        );
    }
}

#[test]
fn rule_ids_and_names_are_unique_and_documented() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in rollwright::rules::all() {
        assert!(ids.insert(r.id), "duplicate id {}", r.id);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        assert!(
            r.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{} is not kebab-case",
            r.name
        );
        assert!(
            !r.doc.is_empty() && !r.doc.contains('\n'),
            "{}: one-line doc",
            r.id
        );
    }
}
