//! `rollwright diff --base` and `--base-ref`: output formats, the Markdown budget, ignore
//! rules, Secrets, git refs.

mod common;

use std::path::Path;
use std::process::Command as Process;

use common::{example, run, run_in};

fn ex() -> String {
    example().display().to_string()
}

/// The example diffed against itself with a new tag, in namespace `shop`.
fn new_tag(extra: &[&str]) -> common::Run {
    let ex = ex();
    let mut args = vec![
        "diff",
        &ex,
        "--base",
        &ex,
        "--set",
        "image.tag=1.29",
        "-n",
        "shop",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn unified_diff_of_a_new_tag() {
    let r = new_tag(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("unified_new_tag", r.stdout);
    let again = new_tag(&[]);
    assert_eq!(r.stdout, again.stdout, "output varies between runs");
}

#[test]
fn markdown_of_a_new_tag() {
    let r = new_tag(&["--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("markdown_new_tag", r.stdout);
    assert_valid_markdown(&r.stdout);
}

#[test]
fn detailed_exit_codes() {
    let same = run(&["diff", &ex(), "--base", &ex(), "--detailed-exitcode"]);
    assert_eq!(
        (same.code, same.stdout.as_str()),
        (0, "No changes: 4 objects compared with base\n")
    );
    let changed = run(&[
        "diff",
        &ex(),
        "--base",
        &ex(),
        "--set",
        "replicaCount=3",
        "--detailed-exitcode",
    ]);
    assert_eq!(changed.code, 2);
    assert!(
        changed
            .stdout
            .contains("Rollout rollouts-demo: applied in place, no new revision"),
        "{}",
        changed.stdout
    );
    assert!(changed.stdout.contains("spec.replicas: 2 → 3"));
    // Usage errors are 1, never the 2 that means "changes".
    let usage = run(&["diff", &ex(), "--detailed-exitcode"]);
    assert_eq!(usage.code, 1, "{}", usage.stderr);
    assert!(usage.stderr.contains("--live"));
    let bad = run(&[
        "diff",
        &ex(),
        "--base",
        &ex(),
        "--set",
        "image.tag=",
        "--detailed-exitcode",
    ]);
    assert_eq!(bad.code, 1);
}

#[test]
fn ignore_rules_from_flags_and_configuration() {
    let r = run(&[
        "diff",
        &ex(),
        "--base",
        &ex(),
        "--set",
        "replicaCount=3",
        "--ignore",
        "Rollout:/spec/replicas",
        "--detailed-exitcode",
    ]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "No changes: 4 objects compared with base\n"),
        "{}",
        r.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".rollwright.yaml"),
        "diff:\n  ignore:\n    - \"Rollout/rollouts-demo:/spec/replicas\"\n",
    )
    .unwrap();
    let r = run_in(
        dir.path(),
        &[
            "diff",
            &ex(),
            "--base",
            &ex(),
            "--set",
            "replicaCount=3",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let json = run_in(
        dir.path(),
        &[
            "diff",
            &ex(),
            "--base",
            &ex(),
            "--set",
            "replicaCount=3",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        doc["objects"][0]["suppressed"][0]["rule"],
        "Rollout/rollouts-demo:/spec/replicas"
    );
    std::fs::write(
        dir.path().join(".rollwright.yaml"),
        "diff:\n  ignores: []\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["diff", &ex(), "--base", &ex()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("unknown field `ignores`"), "{}", r.stderr);
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn secrets_are_masked_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let secret = |v: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {v}\n"
        )
    };
    let base = write(dir.path(), "base/s.yaml", &secret("hunter2"));
    let new = write(dir.path(), "new/s.yaml", &secret("correct-horse"));
    for format in ["unified", "markdown", "json"] {
        let r = run(&["diff", &new, "--base", &base, "--format", format]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            !r.stdout.contains("hunter2") && !r.stdout.contains("aHVudGVyMg"),
            "{format} leaks:\n{}",
            r.stdout
        );
        assert!(
            !r.stdout.contains("Y29ycmVjdC1ob3JzZQ") && !r.stdout.contains("correct-horse"),
            "{format} leaks"
        );
        assert!(
            r.stdout.contains("<secret (after)>") || r.stdout.contains("&lt;secret (after)&gt;"),
            "{format}: {}",
            r.stdout
        );
    }
    let r = run(&["diff", &new, "--base", &base, "--show-secrets"]);
    assert!(r.stdout.contains("aHVudGVyMg=="), "{}", r.stdout);
    let same = run(&["diff", &base, "--base", &base, "--detailed-exitcode"]);
    assert_eq!(same.code, 0);
}

/// Issue 12.13: the marker of a Secret value holds nothing of the value, so there is nothing to
/// try candidates against and nothing that links two objects holding the same value; with a
/// key of the user's, it is an HMAC bound to the object.
#[test]
fn secret_markers_cannot_be_brute_forced_or_linked() {
    let dir = tempfile::tempdir().unwrap();
    let secret = |name: &str, pin: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n  pin: \"{pin}\"\n"
        )
    };
    let base = write(
        dir.path(),
        "base/s.yaml",
        &format!("{}---\n{}", secret("a", "000000"), secret("b", "000000")),
    );
    let new = write(
        dir.path(),
        "new/s.yaml",
        &format!("{}---\n{}", secret("a", "123456"), secret("b", "123456")),
    );
    let r = run(&["diff", &new, "--base", &base, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for o in doc["objects"].as_array().unwrap() {
        assert_eq!(
            o["fields"],
            serde_json::json!([{"path": "/data/pin", "op": "replace", "before": "<secret (before)>", "after": "<secret (after)>"}])
        );
    }
    // The old marker was a SHA-256 prefix of the stored value: none is left to find.
    for stored in ["MTIzNDU2", "MDAwMDAw"] {
        let digest = ring::digest::digest(&ring::digest::SHA256, stored.as_bytes());
        let hex: String = digest.as_ref()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!r.stdout.contains(&hex), "{}", r.stdout);
    }
    // With a key: stable for one object, different across objects and keys.
    let key = write(dir.path(), "key", "0123456789abcdef0123456789abcdef\n");
    let other = write(dir.path(), "other", "fedcba9876543210fedcba9876543210\n");
    let markers = |key: &str| -> Vec<String> {
        let r = run(&[
            "diff",
            &new,
            "--base",
            &base,
            "--format",
            "json",
            "--secret-key-file",
            key,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        doc["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["fields"][0]["after"].as_str().unwrap().to_string())
            .collect()
    };
    let first = markers(&key);
    assert!(first[0].starts_with("<secret hmac:"), "{first:?}");
    assert_ne!(
        first[0], first[1],
        "equal values in two objects must not link"
    );
    assert_eq!(first, markers(&key));
    assert_ne!(first, markers(&other));
    let short = write(dir.path(), "short", "pin\n");
    let r = run(&["diff", &new, "--base", &base, "--secret-key-file", &short]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("at least 16"), "{}", r.stderr);
}

/// Lists are matched by merge key when shown: an entry inserted at the top of `env` is one
/// added entry, not a change of every entry after it.
#[test]
fn an_inserted_list_entry_is_one_change() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = |env: &[&str]| {
        let env: String = env
            .iter()
            .map(|n| format!("        - name: {n}\n          value: \"{n}\"\n"))
            .collect();
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        env:\n{env}"
        )
    };
    let base = write(dir.path(), "base/d.yaml", &deployment(&["A", "B", "C"]));
    let new = write(
        dir.path(),
        "new/d.yaml",
        &deployment(&["NEW", "A", "B", "C"]),
    );
    let r = run(&["diff", &new, "--base", &base, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        doc["objects"][0]["fields"],
        serde_json::json!([{"path": "/spec/template/spec/containers/0/env/0", "op": "add",
            "after": {"name": "NEW", "value": "NEW"}}])
    );
    let r = run(&["diff", &new, "--base", &base, "-C", "0"]);
    let changed: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        vec!["+        - name: NEW", "+          value: NEW"],
        "{}",
        r.stdout
    );
    // A moved entry is one move.
    let moved = write(dir.path(), "moved/d.yaml", &deployment(&["B", "C", "A"]));
    let r = run(&["diff", &moved, "--base", &base, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        doc["objects"][0]["fields"],
        serde_json::json!([{"path": "/spec/template/spec/containers/0/env/2", "op": "move",
            "from": "/spec/template/spec/containers/0/env/0"}])
    );
}

#[test]
fn render_flags_need_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    let r = run(&["diff", &m, "--base", &m, "--set", "a=1"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("apply to a chart"), "{}", r.stderr);
}

/// Balanced fences (a fence closes only with a run of backticks at least as long) and
/// `<details>` outside fences.
fn assert_valid_markdown(text: &str) {
    let mut fence: Option<usize> = None;
    let mut depth = 0i32;
    for line in text.lines() {
        let ticks = line.len() - line.trim_start_matches('`').len();
        match fence {
            Some(n) if ticks >= n && line.trim_end().len() == ticks => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                depth += line.matches("<details>").count() as i32;
                depth -= line.matches("</details>").count() as i32;
                assert!(depth >= 0, "</details> before <details>");
            }
        }
    }
    assert!(fence.is_none(), "unclosed fence");
    assert_eq!(depth, 0, "unbalanced <details>");
}

#[test]
fn markdown_stays_within_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let configmaps = |tag: &str| -> String {
        (0..300)
            .map(|i| {
                let lines: String = (0..12).map(|j| format!("    line {j} of map {i} {tag} {}\n", "x".repeat(40))).collect();
                format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:03}\ndata:\n  text: |\n{lines}  md: \"```\"\n")
            })
            .collect()
    };
    let base = write(dir.path(), "base/cm.yaml", &configmaps("old"));
    let new = write(dir.path(), "new/cm.yaml", &configmaps("new"));
    let full = run(&["diff", &new, "--base", &base]);
    assert!(
        full.stdout.len() > 4 * 65536,
        "the test needs a long diff: {}",
        full.stdout.len()
    );
    for budget in [65536usize, 20000, 4096, 2048] {
        let r = run(&[
            "diff",
            &new,
            "--base",
            &base,
            "--format",
            "markdown",
            "--max-bytes",
            &budget.to_string(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout.len() <= budget,
            "{} bytes over {budget}",
            r.stdout.len()
        );
        assert_valid_markdown(&r.stdout);
        assert!(r.stdout.starts_with("<!-- rollwright-diff -->\n"));
        assert!(
            r.stdout.contains("The diff is longer than `--max-bytes`"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout.contains("more changed objects left out"),
            "{budget}"
        );
    }
    let r = run(&["diff", &new, "--base", &base, "--format", "markdown"]);
    assert!(
        r.stdout.len() > 60000,
        "the budget is used: {}",
        r.stdout.len()
    );
    assert!(
        r.stdout.contains("lines left out"),
        "a section is cut short"
    );
    let r = run(&[
        "diff",
        &new,
        "--base",
        &base,
        "--format",
        "markdown",
        "--max-bytes",
        "100",
    ]);
    assert_eq!(r.code, 1, "below the minimum");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Process::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn base_ref_renders_the_files_at_the_ref() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    git(root, &["init", "-q", "-b", "main"]);
    let values = std::fs::read_to_string(example().join("values.yaml")).unwrap();
    write(root, "deploy/shop/values.yaml", &values);
    write(root, "deploy/shop/values-prod.yaml", "replicaCount: 4\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "base"]);
    write(
        root,
        "deploy/shop/values.yaml",
        &values.replace("tag: \"1.28\"", "tag: \"1.29\""),
    );
    write(root, "deploy/shop/values-prod.yaml", "replicaCount: 5\n");
    // Run from a subdirectory, naming paths relative to it.
    let sub = root.join("deploy");
    let r = run_in(
        &sub,
        &[
            "diff",
            "shop",
            "-f",
            "shop/values-prod.yaml",
            "--base-ref",
            "main",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("-        image: nginx:1.28\n+        image: nginx:1.29\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("-  replicas: 4\n+  replicas: 5\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("--- main/Rollout/rollouts-demo"),
        "{}",
        r.stdout
    );
    // Committed: nothing left to show.
    git(root, &["commit", "-qam", "next"]);
    let r = run_in(
        &sub,
        &[
            "diff",
            "shop",
            "-f",
            "shop/values-prod.yaml",
            "--base-ref",
            "HEAD",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A chart the ref does not have: every object is new.
    write(
        root,
        "deploy/cart/values.yaml",
        &values.replace("name: rollouts-demo", "name: cart"),
    );
    let r = run_in(&sub, &["diff", "cart", "--base-ref", "HEAD"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("4 created, 0 changed"), "{}", r.stdout);
    assert!(r.stdout.contains("first deploy"));
    assert!(r.stderr.contains("does not exist at HEAD"), "{}", r.stderr);
    // A values file standing for its chart, with a template override at the ref.
    write(
        root,
        "deploy/shop/chart-templates/extra.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: \"1\"\n",
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "override"]);
    write(
        root,
        "deploy/shop/chart-templates/extra.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: \"2\"\n",
    );
    let r = run_in(
        &sub,
        &[
            "diff",
            "shop/values.yaml",
            "--base-ref",
            "HEAD",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ConfigMap extra (changed)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 changed"), "{}", r.stdout);
    // An unknown ref is a clear error.
    let r = run_in(&sub, &["diff", "shop", "--base-ref", "origin/nope"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no commit `origin/nope`"), "{}", r.stderr);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
}

#[test]
fn manifests_against_base_show_created_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let svc = |name: &str| {
        format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  ports:\n  - port: 80\n"
        )
    };
    let base = write(dir.path(), "base/all.yaml", &(svc("a") + &svc("b")));
    let new = write(
        dir.path(),
        "new/all.yaml",
        &(svc("b") + &svc("c").replace("port: 80", "port: 80\n    protocol: TCP")),
    );
    let r = run(&["diff", &new, "--base", &base, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let changes: Vec<(&str, &str)> = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        vec![("b", "unchanged"), ("c", "created"), ("a", "removed")]
    );
    let r = run(&["diff", &new, "--base", &base]);
    assert!(
        r.stdout
            .contains("Service a (removed)\n--- base/Service/a\n+++ /dev/null\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn docs_list_every_default_rule() {
    let docs = std::fs::read_to_string(common::repo().join("docs/diff.md")).unwrap();
    let section = &docs[docs.find("## Default ignore rules").unwrap()..];
    for rule in rollwright::diff::normalize::RULES {
        assert!(
            section.contains(&format!("| `{}` |", rule.name)),
            "docs/diff.md lacks `{}`",
            rule.name
        );
    }
}

#[test]
fn docs_list_every_diff_flag() {
    use clap::CommandFactory;
    let docs = std::fs::read_to_string(common::repo().join("docs/diff.md")).unwrap();
    let cli = rollwright::cli::Cli::command();
    let diff = cli.find_subcommand("diff").unwrap();
    for arg in diff.get_arguments() {
        if let Some(long) = arg.get_long()
            && long != "help"
        {
            let flag = regex::Regex::new(&format!("--{long}([^-a-z]|$)")).unwrap();
            assert!(flag.is_match(&docs), "docs/diff.md lacks --{long}");
        }
    }
}
