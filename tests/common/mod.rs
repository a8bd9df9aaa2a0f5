//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod fake_kube;

pub fn rollwright() -> Command {
    Command::cargo_bin("rollwright").unwrap()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example() -> PathBuf {
    repo().join("examples/rollouts-demo")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    run_in(&repo(), args)
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = rollwright().current_dir(dir).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Parses a multi-document YAML stream into JSON values.
pub fn docs(text: &str) -> Vec<serde_json::Value> {
    serde_saphyr::from_str_multiple(text).unwrap()
}

/// A scratch chart directory holding `values.yaml` with `text`.
pub fn chart(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("values.yaml"), text).unwrap();
    dir
}
