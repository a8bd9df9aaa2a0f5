//! The Action (action.yml) run as a GitHub runner runs it (tests/common/action.rs), against a
//! release of this checkout served on 127.0.0.1.

mod common;

use std::path::Path;
use std::process::Command;

use common::action::{Runner, action};
use common::release::{self, TAG};
use common::repo;
use serde_json::Value;

fn workspace_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn example_values() -> String {
    std::fs::read_to_string(common::example().join("values.yaml")).unwrap()
}

#[test]
fn installs_the_pinned_release_and_validates_a_clean_chart() {
    if !release::can_run_install_sh() {
        return;
    }
    let ws = workspace_with(&[("deploy/shop/values.yaml", &example_values())]);
    let runner = Runner::new(ws.path(), &[("paths", "deploy/shop")]);
    let run = runner.run();
    assert_eq!(run.ran["Install rollwright"], 0, "{}", run.log);
    assert_eq!(run.ran["Validate"], 0, "{}", run.log);
    assert_eq!(run.outputs["validate"]["exit-code"], "0", "{}", run.log);
    assert_eq!(run.ran["Fail on findings"], 0, "{}", run.log);
    let cache = &run.used["Restore rollwright from the cache"];
    let installed = Path::new(&cache["path"]).join("rollwright");
    assert!(installed.is_file(), "{}", run.log);
    assert!(cache["key"].starts_with(&format!("rollwright-{TAG}-")));
    assert!(
        !run.used
            .contains_key("Upload the findings to code scanning")
    );
    assert!(!run.ran.contains_key("Diff against the base branch"));
}

#[test]
fn findings_fail_the_action_after_the_sarif_is_handed_to_code_scanning() {
    if !release::can_run_install_sh() {
        return;
    }
    let bad = std::fs::read_to_string(repo().join("fixtures/rules/BG-01/fail.yaml")).unwrap();
    let ws = workspace_with(&[("apps/shop/rollout.yaml", &bad)]);
    let runner = Runner::new(ws.path(), &[("paths", "apps"), ("upload-sarif", "true")]);
    let run = runner.run();
    assert_eq!(run.outputs["validate"]["exit-code"], "1", "{}", run.log);
    assert!(
        run.log.contains("::error file=apps/shop/rollout.yaml"),
        "{}",
        run.log
    );
    let upload = &run.used["Upload the findings to code scanning"];
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&upload["sarif_file"]).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "BG-01")
    );
    assert_eq!(run.ran["Fail on findings"], 1, "{}", run.log);
}

#[test]
fn paths_and_flags_reach_validate_as_separate_arguments() {
    if !release::can_run_install_sh() {
        return;
    }
    let ws = workspace_with(&[
        ("a b/values.yaml", &example_values()),
        ("c/values.yaml", &example_values()),
    ]);
    // A path with a space cannot be given (paths are split on whitespace); two paths can, and
    // a shell metacharacter in an input stays a literal argument.
    let runner = Runner::new(
        ws.path(),
        &[("paths", "c\n$(touch pwned)"), ("strict", "true")],
    );
    let run = runner.run();
    assert!(!ws.path().join("pwned").exists());
    assert_eq!(run.outputs["validate"]["exit-code"], "2", "{}", run.log);
    assert!(run.log.contains("$(touch"), "{}", run.log);
}

#[test]
fn a_tag_is_required_and_a_tampered_release_is_refused() {
    if !release::can_run_install_sh() {
        return;
    }
    let ws = workspace_with(&[]);
    let run = Runner::new(ws.path(), &[("version", "latest")]).run();
    assert_eq!(run.ran["Install rollwright"], 1);
    assert!(
        run.log.contains("version must be a release tag"),
        "{}",
        run.log
    );
    // A failed install stops the steps that need success; the final check has nothing to check.
    assert!(!run.ran.contains_key("Validate"));
    assert!(!run.ran.contains_key("Fail on findings"));

    let run = Runner::new(ws.path(), &[("version", "v0.0.0-missing")]).run();
    assert_eq!(run.ran["Install rollwright"], 1);
    assert!(
        run.log.contains("check that release v0.0.0-missing exists"),
        "{}",
        run.log
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_diff_comment_is_prepared_on_pull_requests_only() {
    if !release::can_run_install_sh() {
        return;
    }
    let ws = workspace_with(&[("deploy/shop/values.yaml", &example_values())]);
    git(ws.path(), &["init", "-q", "-b", "main"]);
    git(ws.path(), &["add", "."]);
    git(ws.path(), &["commit", "-q", "-m", "base"]);
    git(
        ws.path(),
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
    );
    let values = example_values().replace("tag: \"1.28\"", "tag: \"1.29\"");
    std::fs::write(ws.path().join("deploy/shop/values.yaml"), values).unwrap();

    let inputs = [
        ("paths", "deploy"),
        ("diff-chart", "deploy/shop"),
        ("diff-namespace", "shop"),
    ];
    let on_push = Runner::new(ws.path(), &inputs).run();
    assert!(!on_push.ran.contains_key("Diff against the base branch"));
    assert!(!on_push.used.contains_key("Post or update the diff comment"));

    let mut runner = Runner::new(ws.path(), &inputs);
    runner.event = "pull_request";
    let run = runner.run();
    assert_eq!(run.ran["Diff against the base branch"], 0, "{}", run.log);
    let post = &run.used["Post or update the diff comment"];
    let body = std::fs::read_to_string(&post["BODY_FILE"]).unwrap();
    assert!(body.contains("nginx:1.29"), "{body}");
    assert_eq!(post["github-token"], "test-token");
}

#[test]
fn every_action_used_is_pinned_to_a_commit() {
    let mut files = vec![repo().join("action.yml")];
    for entry in std::fs::read_dir(repo().join(".github/workflows")).unwrap() {
        files.push(entry.unwrap().path());
    }
    files.push(repo().join("docs/github-actions-diff.yml"));
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let Some(uses) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            let (name, rest) = uses.split_once('@').unwrap();
            if name == "rollwright/rollwright" {
                // This project's own Action, in the docs: the release that the docs describe.
                assert!(rest.starts_with(TAG), "{}: {uses}", file.display());
                continue;
            }
            let sha = rest.split_whitespace().next().unwrap();
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{}: {uses} is not pinned to a commit",
                file.display()
            );
            assert!(
                rest.contains("# v"),
                "{}: {uses} names no version",
                file.display()
            );
        }
    }
}

#[test]
fn the_release_version_is_the_crate_version_everywhere() {
    assert_eq!(action()["inputs"]["version"]["default"], TAG);
    let plugin: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(repo().join("deploy/argocd/plugin.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(plugin["spec"]["version"], TAG);
}
