//! What `validate` finds on the upstream Argo Rollouts corpus and on the realworld corpus,
//! pinned in snapshots under `tests/snapshots/`: every finding's rule, severity, file (relative
//! to the corpus), line, column and message. Moving code between modules or changing how the
//! rules read objects must not change a single line; a deliberate change of a rule shows up as
//! a reviewed snapshot diff (`cargo insta review`).
//!
//! The snapshots hold only rollwright's output, never the corpus's files. The corpora are read
//! from the folder named by `ROLLWRIGHT_ARGO_CORPUS`; without it these tests skip.
//!
//! The last test checks that the report does not depend on how many worker threads run.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rollwright::input::InputOptions;
use rollwright::report::Report;
use rollwright::validate::{Options, validate};

fn corpus() -> Option<PathBuf> {
    match std::env::var_os("ROLLWRIGHT_ARGO_CORPUS") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            assert!(
                std::env::var("ROLLWRIGHT_REQUIRE_PEERS").is_err(),
                "ROLLWRIGHT_ARGO_CORPUS is not set but ROLLWRIGHT_REQUIRE_PEERS is"
            );
            eprintln!("skipped: ROLLWRIGHT_ARGO_CORPUS is not set");
            None
        }
    }
}

fn check(paths: &[PathBuf]) -> Report {
    validate(&Options {
        inputs: InputOptions {
            paths: paths.to_vec(),
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap()
}

/// One line per finding, `file` made relative to `root`; files that could not be read are
/// listed without their message (reader messages are not what these snapshots pin).
fn serialise(out: &mut String, report: &Report, root: &Path, prefix: &str) {
    let rel = |f: &str| -> String {
        let p = Path::new(f);
        let p = p.strip_prefix(root).unwrap_or(p);
        format!("{prefix}{}", p.display())
    };
    for e in &report.input_errors {
        if let Some(rollwright::error::Location::File { path, .. }) = &e.location {
            writeln!(out, "{} input-error", rel(path)).unwrap();
        }
    }
    // Messages that name another file (APP-01) name it by the scratch tree's path.
    let scratch = format!("{}/", root.display());
    for f in &report.findings {
        writeln!(
            out,
            "{}:{}:{} {} {} {}",
            rel(&f.file),
            f.line,
            f.column,
            f.rule,
            f.severity,
            f.message.replace(&scratch, prefix)
        )
        .unwrap();
    }
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn upstream_corpus_findings_match_the_snapshot() {
    let Some(root) = corpus() else { return };
    let root = root.join("corpus");
    let mut out = String::new();
    let mut files = 0;
    for folder in ["examples", "valid", "invalid", "other"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        // One file at a time: each upstream file stands alone.
        for path in paths {
            files += 1;
            serialise(&mut out, &check(std::slice::from_ref(&path)), &root, "");
        }
    }
    assert!(files >= 80, "only {files} corpus files");
    insta::assert_snapshot!("upstream_corpus", out);
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn realworld_findings_match_the_snapshot() {
    let Some(root) = corpus() else { return };
    let realworld = root.join("realworld");
    let sources = std::fs::read_to_string(realworld.join("SOURCES.tsv")).unwrap();
    // One repository per run, its files at their upstream paths (as tests/corpus.rs lays them).
    let mut repos: std::collections::BTreeMap<&str, Vec<(String, &str)>> = Default::default();
    for line in sources.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (repo, path, file) = (cols[0], cols[1], cols[3]);
        let path = match path.strip_suffix(" (kubectl kustomize render)") {
            Some(dir) => format!("rendered/{dir}/all.yaml"),
            None => path.to_owned(),
        };
        repos.entry(repo).or_default().push((path, file));
    }
    let mut out = String::new();
    for (repo, entries) in &repos {
        let tree = tempfile::tempdir().unwrap();
        for (path, file) in entries {
            let target = tree.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(realworld.join(file), &target).unwrap();
        }
        let report = check(&[tree.path().to_path_buf()]);
        serialise(&mut out, &report, tree.path(), &format!("{repo}/"));
    }
    assert!(out.lines().count() > 100, "{out}");
    insta::assert_snapshot!("realworld", out);
}

/// A tree of many applications (one directory each, every rule's failing fixture plus the
/// rollouts-demo render), validated in every output format with one and with four worker
/// threads: the bytes must be the same.
#[test]
fn output_is_byte_identical_across_thread_counts_on_many_applications() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = common::repo().join("fixtures/rules");
    let mut rules: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    rules.sort();
    let mut apps = 0;
    for copy in 0..2 {
        for rule in &rules {
            for which in ["fail", "pass"] {
                let from = rule.join(format!("{which}.yaml"));
                if !from.exists() {
                    continue;
                }
                let app = dir.path().join(format!(
                    "env{copy}/{}-{which}",
                    rule.file_name().unwrap().to_str().unwrap()
                ));
                std::fs::create_dir_all(&app).unwrap();
                std::fs::copy(&from, app.join("manifests.yaml")).unwrap();
                apps += 1;
            }
        }
    }
    assert!(apps > 300, "{apps} applications");
    let tree = dir.path().to_str().unwrap();
    for format in ["text", "json", "sarif"] {
        let run = |threads: &str| {
            common::rollwright()
                .args(["validate", tree, "--format", format])
                .env("RAYON_NUM_THREADS", threads)
                .env("NO_COLOR", "1")
                .output()
                .unwrap()
        };
        let one = run("1");
        assert_eq!(one.status.code(), Some(1), "{format}");
        assert!(one.stdout.len() > 10_000, "{format}");
        let four = run("4");
        assert!(
            one.stdout == four.stdout && one.stderr == four.stderr,
            "{format}: the report differs with 4 threads"
        );
    }
}
