//! The pre-commit hook, run by the real `pre-commit` (PyPI) on a scratch git repository: a bad
//! Rollout fails the hook, the fixed one passes. The hook is the published one
//! (`.pre-commit-hooks.yaml`: its id, entry, file types) as a `repo: local` hook with
//! `language: system` running this build's binary, so pre-commit builds nothing and the test
//! takes seconds; tests/init.rs checks that the local hook `init` writes is the published one.
//! `#[ignore = "needs pre-commit"]`: `cargo test -- --include-ignored` runs it (see
//! tests/common/peers.rs).

use std::path::Path;
use std::process::Command;

mod common;

fn have_pre_commit() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

fn hook(dir: &Path) -> (bool, String) {
    hook_on(dir, &["rollout.yaml"])
}

/// The published hook as a local one running the `rollwright` on PATH.
fn local_config() -> String {
    let text = std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).unwrap();
    let published: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let mut hook = published[0].clone();
    assert_eq!(hook["id"], "rollwright-validate");
    hook["language"] = "system".into();
    // JSON is YAML.
    serde_json::json!({"repos": [{"repo": "local", "hooks": [hook]}]}).to_string()
}

/// Runs the hook on `files`, as pre-commit passes the staged ones.
fn hook_on(dir: &Path, files: &[&str]) -> (bool, String) {
    std::fs::write(dir.join(".pre-commit-config.yaml"), local_config()).unwrap();
    git(dir, &["add", ".pre-commit-config.yaml"]);
    let bin = Path::new(env!("CARGO_BIN_EXE_rollwright"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut args = vec!["run", "rollwright-validate", "--verbose", "--files"];
    args.extend_from_slice(files);
    let home = tempfile::tempdir().unwrap();
    let out = Command::new("pre-commit")
        .current_dir(dir)
        .args(&args)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home.path())
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Whether pre-commit is there; without it the test is skipped (and says so), unless
/// ROLLWRIGHT_REQUIRE_PEERS makes that a failure.
fn pre_commit_or_skip() -> bool {
    if !have_pre_commit() {
        common::peers::missing("pre-commit is not installed (python3 -m pip install pre-commit)");
        return false;
    }
    true
}

#[test]
#[ignore = "needs pre-commit"]
fn pre_commit_hook_fails_on_a_bad_rollout_and_passes_once_fixed() {
    if !pre_commit_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    let fixtures = common::repo().join("fixtures/rules/BG-01");
    std::fs::copy(fixtures.join("fail.yaml"), d.join("rollout.yaml")).unwrap();
    git(d, &["add", "rollout.yaml"]);
    let (ok, text) = hook(d);
    assert!(!ok, "the hook passed a bad Rollout:\n{text}");
    assert!(text.contains("BG-01"), "{text}");

    std::fs::copy(fixtures.join("pass.yaml"), d.join("rollout.yaml")).unwrap();
    git(d, &["add", "rollout.yaml"]);
    let (ok, text) = hook(d);
    assert!(ok, "the hook failed a good Rollout:\n{text}");
}

#[test]
#[ignore = "needs pre-commit"]
fn pre_commit_hook_checks_a_staged_overlay_values_file_against_its_chart() {
    if !pre_commit_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    let shop = d.join("apps/shop");
    std::fs::create_dir_all(&shop).unwrap();
    let fixtures = common::repo().join("fixtures/trees/gitops/apps/shop");
    std::fs::copy(fixtures.join("values.yaml"), shop.join("values.yaml")).unwrap();
    std::fs::write(shop.join("values-prod.yaml"), "replicaCont: 3\n").unwrap();
    std::fs::write(d.join("ci.yaml"), "on: push\njobs: {}\n").unwrap();
    git(d, &["add", "."]);
    let (ok, text) = hook_on(d, &["apps/shop/values-prod.yaml", "ci.yaml"]);
    assert!(!ok, "the hook passed a typo in an overlay:\n{text}");
    assert!(
        text.contains("apps/shop/values-prod.yaml:1:1: unknown key `replicaCont`"),
        "{text}"
    );
    std::fs::write(shop.join("values-prod.yaml"), "replicaCount: 3\n").unwrap();
    git(d, &["add", "."]);
    let (ok, text) = hook_on(d, &["apps/shop/values-prod.yaml", "ci.yaml"]);
    assert!(ok, "the hook failed a good overlay:\n{text}");
    // A typo in the chart's own values.yaml, staged alone, is found too.
    let values = std::fs::read_to_string(shop.join("values.yaml")).unwrap();
    std::fs::write(
        shop.join("values.yaml"),
        values.replace("replicaCount: 2", "replicaCont: 2"),
    )
    .unwrap();
    git(d, &["add", "."]);
    let (ok, text) = hook_on(d, &["apps/shop/values.yaml"]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("apps/shop/values.yaml:9:1: unknown key `replicaCont`"),
        "{text}"
    );
}
