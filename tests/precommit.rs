//! The pre-commit hook, run by the real `pre-commit` (PyPI) with `try-repo` on a scratch git
//! repository: a bad Rollout fails the hook, the fixed one passes. Needs `pre-commit` and
//! `cargo` on PATH; skipped (with a message) when pre-commit is absent, unless
//! `ROLLWRIGHT_REQUIRE_PEERS=1` (as `.ci/run` sets), which makes its absence a failure.

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
    let repo = common::repo();
    let out = Command::new("pre-commit")
        .current_dir(dir)
        .args([
            "try-repo",
            repo.to_str().unwrap(),
            "rollwright-validate",
            "--files",
            "rollout.yaml",
            "--verbose",
        ])
        // Keep pre-commit's environments and cargo's build between runs of this test.
        .env("PRE_COMMIT_HOME", repo.join("target/pre-commit-home"))
        .env("CARGO_TARGET_DIR", repo.join("target/pre-commit-build"))
        // pre-commit builds with `cargo install` (release); an unoptimised build is enough to
        // run the hook and takes a fraction of the time.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
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

#[test]
fn pre_commit_hook_fails_on_a_bad_rollout_and_passes_once_fixed() {
    if !have_pre_commit() {
        assert!(
            std::env::var("ROLLWRIGHT_REQUIRE_PEERS").is_err(),
            "pre-commit is not installed but ROLLWRIGHT_REQUIRE_PEERS is set"
        );
        eprintln!("skipped: pre-commit is not installed (pip install pre-commit)");
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
