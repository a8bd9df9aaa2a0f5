//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod action;
pub mod fake_kube;
pub mod live;
pub mod peers;
pub mod release;

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

/// Whether the YAML fast path took `text` (`Ok(false)`: it handed over), and if so that its
/// values and every node's position equal the full reader's.
pub fn yaml_paths_agree(text: &str) -> Result<bool, String> {
    use rollwright::yaml;
    let Some(fast) = yaml::parse_documents_fast(text) else {
        return Ok(false);
    };
    let full = yaml::parse_documents_fully(text)
        .map_err(|e| format!("the fast path read a text the full reader refuses: {e}"))?;
    if fast.len() != full.len() {
        return Err(format!("{} documents against {}", fast.len(), full.len()));
    }
    for (i, (a, b)) in fast.iter().zip(&full).enumerate() {
        if a.value != b.value {
            return Err(format!("document {i}: values differ"));
        }
        for (pointer, pos) in b.positions.iter() {
            if a.positions.get(pointer) != Some(pos) {
                return Err(format!("document {i}: position of {pointer:?} differs"));
            }
        }
        if a.positions.iter().count() != b.positions.iter().count() {
            return Err(format!("document {i}: number of nodes differs"));
        }
    }
    Ok(true)
}
