//! action.yml's shell steps, run in order as a GitHub runner runs a composite action: inputs
//! and `${{ }}` expressions resolved into each step's `env`, `if:` conditions evaluated,
//! `$GITHUB_OUTPUT`/`$GITHUB_PATH` carried between steps, against a release of this checkout
//! served on 127.0.0.1. Steps that `uses:` another action are not run; the test checks what
//! they would be given. Only the expression forms action.yml uses are understood: anything
//! else fails the test rather than being skipped.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::release::{self, FileServer, TAG};
use common::repo;
use serde_json::Value;

fn action() -> Value {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn server() -> &'static FileServer {
    static SERVER: OnceLock<(tempfile::TempDir, FileServer)> = OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            release::package(dir.path());
            let server = FileServer::start(dir.path());
            (dir, server)
        })
        .1
}

/// What one run of the action did.
#[derive(Default)]
struct Run {
    /// Step name → exit code, for the shell steps that ran.
    ran: BTreeMap<String, i32>,
    /// Step name → its resolved `with:`, for the `uses:` steps whose condition held.
    used: BTreeMap<String, BTreeMap<String, String>>,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    log: String,
}

struct Runner {
    inputs: BTreeMap<String, String>,
    event: &'static str,
    workspace: PathBuf,
    temp: tempfile::TempDir,
}

impl Runner {
    fn new(workspace: &Path, inputs: &[(&str, &str)]) -> Runner {
        let mut all = BTreeMap::new();
        for (name, spec) in action()["inputs"].as_object().unwrap() {
            let default = spec["default"].as_str().unwrap_or("").to_string();
            all.insert(name.clone(), default);
        }
        for (k, v) in inputs {
            assert!(all.contains_key(*k), "action.yml has no input {k}");
            all.insert(k.to_string(), v.to_string());
        }
        Runner {
            inputs: all,
            event: "push",
            workspace: workspace.to_path_buf(),
            temp: tempfile::tempdir().unwrap(),
        }
    }

    fn lookup(&self, run: &Run, name: &str) -> String {
        let name = name.trim();
        if let Some(input) = name.strip_prefix("inputs.") {
            // A default may itself be an expression (`${{ github.token }}`).
            return self.expand(run, &self.inputs[input]);
        }
        if let Some(rest) = name.strip_prefix("steps.") {
            let (id, key) = rest.split_once(".outputs.").expect("steps.ID.outputs.KEY");
            return run
                .outputs
                .get(id)
                .and_then(|o| o.get(key))
                .cloned()
                .unwrap_or_default();
        }
        match name {
            "runner.temp" => self.temp.path().join("runner-temp").display().to_string(),
            "runner.tool_cache" => self.temp.path().join("tool-cache").display().to_string(),
            "runner.os" => "Linux".into(),
            "runner.arch" => "X64".into(),
            "github.token" => "test-token".into(),
            "github.event_name" => self.event.into(),
            "github.base_ref" => "main".into(),
            other => panic!("action.yml uses an expression this test does not know: {other}"),
        }
    }

    /// Replaces every `${{ name }}` in `text`.
    fn expand(&self, run: &Run, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unclosed ${{") + start;
            out.push_str(&self.lookup(run, &rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn condition(&self, run: &Run, failed: bool, text: Option<&str>) -> bool {
        let Some(text) = text else { return !failed };
        let text = text.trim();
        let text = text
            .strip_prefix("${{")
            .and_then(|t| t.strip_suffix("}}"))
            .unwrap_or(text);
        let mut status_checked = false;
        let mut all = true;
        for term in text.split("&&").map(str::trim) {
            let holds = match term {
                "always()" | "!cancelled()" => {
                    status_checked = true;
                    true
                }
                _ => {
                    let (lhs, op, rhs) = if let Some((l, r)) = term.split_once("==") {
                        (l, "==", r)
                    } else if let Some((l, r)) = term.split_once("!=") {
                        (l, "!=", r)
                    } else {
                        panic!("condition this test does not know: {term}")
                    };
                    let rhs = rhs.trim();
                    let literal = rhs
                        .strip_prefix('\'')
                        .and_then(|r| r.strip_suffix('\''))
                        .unwrap_or_else(|| panic!("right side is not a string literal: {rhs}"));
                    let value = self.lookup(run, lhs);
                    (value == literal) == (op == "==")
                }
            };
            all &= holds;
        }
        all && (status_checked || !failed)
    }

    fn run(&self) -> Run {
        let spec = action();
        assert_eq!(spec["runs"]["using"], "composite");
        let mut run = Run::default();
        let mut failed = false;
        let mut path_dirs: Vec<String> = Vec::new();
        std::fs::create_dir_all(self.temp.path().join("runner-temp")).unwrap();
        let github_path = self.temp.path().join("github-path");
        std::fs::write(&github_path, "").unwrap();
        for (i, step) in spec["runs"]["steps"].as_array().unwrap().iter().enumerate() {
            let name = step["name"].as_str().unwrap().to_string();
            if !self.condition(&run, failed, step["if"].as_str()) {
                continue;
            }
            let id = step["id"].as_str().map(str::to_string);
            let mut env = BTreeMap::new();
            if let Some(vars) = step["env"].as_object() {
                for (k, v) in vars {
                    env.insert(k.clone(), self.expand(&run, v.as_str().unwrap()));
                }
            }
            if let Some(uses) = step["uses"].as_str() {
                let mut with = BTreeMap::new();
                if let Some(args) = step["with"].as_object() {
                    for (k, v) in args {
                        with.insert(k.clone(), self.expand(&run, v.as_str().unwrap()));
                    }
                }
                with.insert("uses".into(), uses.into());
                with.extend(env);
                run.used.insert(name, with);
                continue;
            }
            let script = self.temp.path().join(format!("step-{i}.sh"));
            std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
            let output = self.temp.path().join(format!("output-{i}"));
            std::fs::write(&output, "").unwrap();
            let path = path_dirs
                .iter()
                .rev()
                .cloned()
                .chain([std::env::var("PATH").unwrap_or_default()])
                .collect::<Vec<_>>()
                .join(":");
            assert_eq!(
                step["shell"], "bash",
                "{name}: composite run steps need a shell"
            );
            let out = Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(&self.workspace)
                .env("PATH", path)
                .env("GITHUB_ACTION_PATH", repo())
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_PATH", &github_path)
                .env("RUNNER_TEMP", self.temp.path().join("runner-temp"))
                .env("ROLLWRIGHT_BASE_URL", &server().url)
                .env("CI", "true")
                .envs(&env)
                .output()
                .unwrap();
            let code = out.status.code().unwrap_or(-1);
            run.log.push_str(&format!(
                "--- {name} ({code})\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
            run.ran.insert(name, code);
            failed |= code != 0;
            if let Some(id) = id {
                let text = std::fs::read_to_string(&output).unwrap();
                let map = run.outputs.entry(id).or_default();
                for line in text.lines() {
                    let (k, v) = line.split_once('=').expect("NAME=VALUE in GITHUB_OUTPUT");
                    map.insert(k.into(), v.into());
                }
            }
            path_dirs = std::fs::read_to_string(&github_path)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect();
        }
        run
    }
}

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
