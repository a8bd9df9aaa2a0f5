//! Tests that need something outside the repository — helm, kubectl, pre-commit, the upstream
//! Argo Rollouts corpus, the official SARIF schema, a real API server's answers — are marked
//! `#[ignore = "needs …"]`, so a plain `cargo test` lists them as ignored instead of counting
//! them as passed. `cargo test -- --include-ignored` runs them: a missing peer then skips the
//! test with a note, or fails it when ROLLWRIGHT_REQUIRE_PEERS=1 (as `.ci/run` sets), so CI
//! never passes a test it did not run.
#![allow(dead_code)]

use std::path::PathBuf;

/// Whether a missing peer is a failure.
pub fn required() -> bool {
    std::env::var_os("ROLLWRIGHT_REQUIRE_PEERS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// A peer is missing: the test fails under ROLLWRIGHT_REQUIRE_PEERS, else says it skipped
/// (the caller returns).
pub fn missing(what: &str) {
    assert!(
        !required(),
        "{what}, and ROLLWRIGHT_REQUIRE_PEERS is set (.ci/run installs and sets every peer)"
    );
    eprintln!("skipped: {what}");
}

/// The directory or file an environment variable names, or `None` (skipped) when it is unset.
pub fn env_path(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            missing(&format!("{var} is not set"));
            None
        }
    }
}
