//! The console sessions of README.md and docs/*.md, run as written.
//!
//! A fenced block whose info string starts with `console` is a session: each `$ COMMAND` line
//! is run by `sh` and the lines after it, up to the next `$` line, are what it must print
//! (standard output and standard error together, as a terminal shows them). A `? N` line right
//! after the command says it exits with N; otherwise it must exit 0. `$ cd DIR` moves the
//! session. The blocks of one file run in order in one scratch directory that holds a copy of
//! `examples/rollouts-demo` (the layout of a clone), with this build's `rollwright` first on
//! PATH, `NO_COLOR=1`, a git identity and no kubeconfig.
//!
//! Words after `console` in the info string mark what a block needs:
//! - `needs=helm`: run when helm is on PATH; otherwise reported as skipped (a failure under
//!   ROLLWRIGHT_REQUIRE_PEERS=1); `docs_examples_with_helm` runs them and is ignored without it;
//! - `cluster`: needs a Kubernetes cluster and Argo Rollouts; never run, always reported.
//!
//! Normalisation, the only one: the scratch directory's path reads `<tmp>`, trailing blanks
//! are dropped. `ROLLWRIGHT_BLESS_DOCS=1 cargo test --test doc_examples` writes what the
//! commands printed into the files instead of comparing (review the diff before committing).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Step {
    command: String,
    /// Line index of the `$` line in the file.
    line: usize,
    code: i32,
    expected: Vec<String>,
    /// Line range (in the file) of the `? N` line and the expected output.
    span: (usize, usize),
}

struct Block {
    line: usize,
    needs: Vec<String>,
    steps: Vec<Step>,
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let ticks = lines[i].len() - lines[i].trim_start_matches('`').len();
        let Some(info) = lines[i][ticks..]
            .strip_prefix("console")
            .filter(|_| ticks >= 3)
        else {
            i += 1;
            continue;
        };
        let needs = info.split_whitespace().map(str::to_string).collect();
        let start = i;
        let mut end = i + 1;
        // A block whose output holds ``` lines is fenced with more backticks (CommonMark).
        while end < lines.len()
            && !(lines[end].len() >= ticks && lines[end].chars().all(|c| c == '`'))
        {
            end += 1;
        }
        assert!(
            end < lines.len(),
            "unclosed console block at line {}",
            i + 1
        );
        let mut steps: Vec<Step> = Vec::new();
        for (j, line) in lines.iter().enumerate().take(end).skip(start + 1) {
            if let Some(cmd) = line.strip_prefix("$ ") {
                steps.push(Step {
                    command: cmd.to_string(),
                    line: j,
                    code: 0,
                    expected: Vec::new(),
                    span: (j + 1, j + 1),
                });
                continue;
            }
            let step = steps
                .last_mut()
                .unwrap_or_else(|| panic!("line {}: output before any `$` command", j + 1));
            if let Some(code) = line.strip_prefix("? ").filter(|_| j == step.line + 1) {
                step.code = code.trim().parse().expect("`? N` takes an exit code");
                step.span.1 = j + 1;
                continue;
            }
            step.expected.push(line.trim_end().to_string());
            step.span.1 = j + 1;
        }
        out.push(Block {
            line: start,
            needs,
            steps,
        });
        i = end + 1;
    }
    out
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[derive(Default)]
struct Tally {
    commands: Vec<String>,
    skipped: Vec<String>,
    failures: Vec<String>,
}

/// Runs every session of `file` (relative to the repository); with `with_helm`, helm blocks
/// run too.
fn run_file(file: &str, with_helm: bool, tally: &mut Tally) {
    let path = common::repo().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let blocks = blocks(&text);
    if blocks.is_empty() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().canonicalize().unwrap();
    let bin = root.join(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_rollwright"), bin.join("rollwright")).unwrap();
    let home = root.join(".home");
    std::fs::create_dir_all(&home).unwrap();
    copy_dir(&common::example(), &root.join("examples/rollouts-demo"));
    let path_var = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cwd = root.clone();
    let mut actual: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for block in &blocks {
        let skip = if block.needs.iter().any(|n| n == "cluster") {
            Some("needs a cluster")
        } else if block.needs.iter().any(|n| n == "needs=helm") && !with_helm {
            Some("needs helm")
        } else {
            None
        };
        if let Some(why) = skip {
            tally.skipped.push(format!(
                "{file}:{}: {} command(s), {why}",
                block.line + 1,
                block.steps.len()
            ));
            continue;
        }
        for step in &block.steps {
            let at = format!("{file}:{}", step.line + 1);
            tally.commands.push(step.command.clone());
            if let Some(dir) = step.command.strip_prefix("cd ") {
                cwd = cwd.join(dir.trim()).canonicalize().unwrap();
                assert!(
                    cwd.starts_with(&root),
                    "{at}: `cd` leaves the scratch directory"
                );
                continue;
            }
            let out = Command::new("sh")
                .args(["-c", &format!("exec 2>&1\n{}", step.command)])
                .current_dir(&cwd)
                .env("PATH", &path_var)
                .env("HOME", &home)
                .env("NO_COLOR", "1")
                .env("TZ", "UTC")
                .env("KUBECONFIG", root.join(".no-kubeconfig"))
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "Dev")
                .env("GIT_AUTHOR_EMAIL", "dev@example.com")
                .env("GIT_COMMITTER_NAME", "Dev")
                .env("GIT_COMMITTER_EMAIL", "dev@example.com")
                .env_remove("ROLLWRIGHT_CONFIG")
                .env_remove("ARGOCD_ENV_ROLLWRIGHT_SET")
                .env_remove("ARGOCD_ENV_IMAGE_TAG")
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let code = out.status.code().unwrap_or(-1);
            let printed =
                String::from_utf8_lossy(&out.stdout).replace(&root.display().to_string(), "<tmp>");
            let mut got: Vec<String> = printed.lines().map(|l| l.trim_end().to_string()).collect();
            while got.last().is_some_and(|l| l.is_empty()) {
                got.pop();
            }
            let mut expected = step.expected.clone();
            while expected.last().is_some_and(|l| l.is_empty()) {
                expected.pop();
            }
            let mut written = Vec::new();
            if code != 0 {
                written.push(format!("? {code}"));
            }
            written.extend(got.iter().cloned());
            let blank = step
                .expected
                .iter()
                .rev()
                .take_while(|l| l.is_empty())
                .count();
            written.extend(std::iter::repeat_n(String::new(), blank));
            actual.insert(step.span, written);
            if code != step.code {
                tally.failures.push(format!(
                    "{at}: `{}` exited {code}, the docs say {}:\n{}",
                    step.command,
                    step.code,
                    got.join("\n")
                ));
            } else if got != expected {
                tally.failures.push(format!(
                    "{at}: `{}` printed\n{}\n--- the docs say ---\n{}",
                    step.command,
                    got.join("\n"),
                    expected.join("\n")
                ));
            }
        }
    }
    if std::env::var("ROLLWRIGHT_BLESS_DOCS").as_deref() == Ok("1") {
        let lines: Vec<&str> = text.lines().collect();
        let mut new = Vec::new();
        let mut i = 0;
        for ((from, to), written) in &actual {
            new.extend(lines[i..*from].iter().map(|l| l.to_string()));
            new.extend(written.iter().cloned());
            i = *to;
        }
        new.extend(lines[i..].iter().map(|l| l.to_string()));
        std::fs::write(&path, new.join("\n") + "\n").unwrap();
        tally.failures.clear();
    }
}

fn doc_files() -> Vec<String> {
    let mut files = vec!["README.md".to_string()];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(common::repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(
        docs.iter()
            .map(|p| format!("docs/{}", p.file_name().unwrap().to_string_lossy())),
    );
    files
}

fn report(tally: &Tally) {
    eprintln!("ran {} command(s)", tally.commands.len());
    for s in &tally.skipped {
        eprintln!("skipped: {s}");
    }
    assert!(
        tally.failures.is_empty(),
        "{} example(s) differ from what they print (ROLLWRIGHT_BLESS_DOCS=1 rewrites them):\n\n{}",
        tally.failures.len(),
        tally.failures.join("\n\n")
    );
}

/// The README's tour, from a copy of the example to a validated, diffed release.
#[test]
fn readme_tour_runs() {
    let mut tally = Tally::default();
    run_file("README.md", on_path("helm"), &mut tally);
    report(&tally);
    for step in [
        "rollwright set-image",
        "rollwright validate",
        "rollwright diff",
        "rollwright render",
    ] {
        assert!(
            tally.commands.iter().any(|c| c.starts_with(step)),
            "the README's tour no longer runs `{step}`"
        );
    }
}

/// Every console session of docs/*.md; blocks that need helm run when helm is on PATH.
#[test]
fn docs_examples_run() {
    let helm = on_path("helm");
    assert!(
        helm || std::env::var("ROLLWRIGHT_REQUIRE_PEERS").as_deref() != Ok("1"),
        "helm is not on PATH (ROLLWRIGHT_REQUIRE_PEERS=1)"
    );
    let mut tally = Tally::default();
    for file in doc_files().into_iter().skip(1) {
        run_file(&file, helm, &mut tally);
    }
    report(&tally);
    assert!(tally.commands.len() >= 10, "too few doc examples ran");
}

/// The blocks that need helm, run with it (a plain `cargo test` lists this as ignored).
#[test]
#[ignore = "needs helm on PATH"]
fn docs_examples_with_helm() {
    assert!(on_path("helm"), "helm is not on PATH");
    let mut tally = Tally::default();
    for file in doc_files() {
        run_file(&file, true, &mut tally);
    }
    report(&tally);
}

#[test]
fn session_parser() {
    let text = "x\n```console cluster\n$ a\n? 2\nout\n\n$ b\n```\n```sh\n$ c\n```\n````console\n$ d\n```diff\n```\n````\n";
    let b = blocks(text);
    assert_eq!(b.len(), 2);
    assert_eq!(b[1].steps[0].expected, ["```diff", "```"]);
    assert_eq!(b[0].needs, ["cluster"]);
    assert_eq!(b[0].steps.len(), 2);
    assert_eq!(b[0].steps[0].code, 2);
    assert_eq!(b[0].steps[0].expected, ["out", ""]);
    assert_eq!(b[0].steps[0].span, (3, 6));
    assert_eq!(b[0].steps[1].span, (7, 7));
}
