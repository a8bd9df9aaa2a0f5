//! action.yml's shell steps, run in order as a GitHub runner runs a composite action: inputs
//! and `${{ }}` expressions resolved into each step's `env`, `if:` conditions evaluated,
//! `$GITHUB_OUTPUT`/`$GITHUB_PATH` carried between steps, against a release of this checkout
//! served on 127.0.0.1. Steps that `uses:` another action are not run; the runner records what
//! they would be given. Only the expression forms action.yml uses are understood: anything
//! else fails the test rather than being skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use super::release::{self, FileServer};
use super::repo;

pub fn action() -> Value {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

pub fn server() -> &'static FileServer {
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
pub struct Run {
    /// Step name → exit code, for the shell steps that ran.
    pub ran: BTreeMap<String, i32>,
    /// Step name → its resolved `with:`, for the `uses:` steps whose condition held.
    pub used: BTreeMap<String, BTreeMap<String, String>>,
    pub outputs: BTreeMap<String, BTreeMap<String, String>>,
    pub log: String,
    /// The directories the steps added to `PATH`, in order.
    pub path: Vec<String>,
}

pub struct Runner {
    inputs: BTreeMap<String, String>,
    pub event: &'static str,
    workspace: PathBuf,
    temp: tempfile::TempDir,
}

impl Runner {
    pub fn new(workspace: &Path, inputs: &[(&str, &str)]) -> Runner {
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

    pub fn run(&self) -> Run {
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
        run.path = path_dirs;
        run
    }
}

/// What one job of a workflow did: each step's name (or `uses:`) and exit code, and the log.
pub struct Job {
    pub steps: Vec<(String, i32)>,
    pub log: String,
    pub summary: String,
    /// What the Action's `uses:` steps would have been given, per run of the Action.
    pub used: Vec<BTreeMap<String, BTreeMap<String, String>>>,
    /// The Action's runners, whose scratch directories hold the files named in `used`.
    _runners: Vec<Runner>,
}

/// Runs `job` of the workflow file as a runner would in `workspace` (already checked out):
/// `actions/checkout` is skipped, this project's Action runs through [`Runner`] with the step's
/// `with:` as inputs, `run:` steps run in bash with what the Action put on `PATH`. Any other
/// `uses:` fails the test.
pub fn run_job(workflow: &Path, job: &str, workspace: &Path, event: &'static str) -> Job {
    let text = std::fs::read_to_string(workflow).unwrap();
    let spec: Value = serde_saphyr::from_str(&text).unwrap();
    let steps = spec["jobs"][job]["steps"]
        .as_array()
        .expect("the job's steps");
    let summary_file = tempfile::NamedTempFile::new().unwrap();
    let mut done = Job {
        steps: Vec::new(),
        log: String::new(),
        summary: String::new(),
        used: Vec::new(),
        _runners: Vec::new(),
    };
    let mut path_dirs: Vec<String> = Vec::new();
    // The Action's tool cache lives as long as its runner: kept for the later steps.
    let mut runners = Vec::new();
    for step in steps {
        if let Some(uses) = step["uses"].as_str() {
            if uses.starts_with("actions/checkout@") {
                continue;
            }
            assert!(
                uses.starts_with(&format!("{}@", rollwright::init::action_name())),
                "a step this test cannot run: {uses}"
            );
            let inputs: Vec<(String, String)> = step["with"]
                .as_object()
                .map(|w| {
                    w.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().expect("a string input").to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let pairs: Vec<(&str, &str)> = inputs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut runner = Runner::new(workspace, &pairs);
            runner.event = event;
            let run = runner.run();
            done.log.push_str(&run.log);
            let failed = run.ran.values().any(|c| *c != 0);
            done.steps.push((uses.to_string(), i32::from(failed)));
            path_dirs.extend(run.path);
            done.used.push(run.used);
            runners.push(runner);
            continue;
        }
        let name = step["name"].as_str().unwrap_or("run").to_string();
        let script = step["run"].as_str().expect("a run step");
        let path = path_dirs
            .iter()
            .rev()
            .cloned()
            .chain([std::env::var("PATH").unwrap_or_default()])
            .collect::<Vec<_>>()
            .join(":");
        let out = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(workspace)
            .env("PATH", path)
            .env("GITHUB_STEP_SUMMARY", summary_file.path())
            .env("GITHUB_WORKSPACE", workspace)
            .env("CI", "true")
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        done.log.push_str(&format!(
            "--- {name} ({code})\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        done.steps.push((name, code));
    }
    done.summary = std::fs::read_to_string(summary_file.path()).unwrap();
    done._runners = runners;
    done
}
