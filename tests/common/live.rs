//! Helpers of the live-diff tests: the example as rendered and as a cluster holds it, and
//! running `rollwright diff --live` with a clean proxy environment.

use std::path::Path;

use serde_json::Value;

use super::fake_kube::as_live;
use super::{Run, example, rollwright};

/// The example as rendered for namespace `shop`.
pub fn rendered(set: &[&str]) -> Vec<Value> {
    let input = rollwright::values::ValuesInput {
        chart: example(),
        set: set.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let loaded = rollwright::values::load(&input).unwrap();
    rollwright::render::render(&loaded, Some("shop"))
        .unwrap()
        .into_iter()
        .map(|o| o.value)
        .collect()
}

/// The example as the cluster holds it after it was applied.
pub fn live_example() -> Vec<Value> {
    rendered(&[])
        .iter()
        .enumerate()
        .map(|(i, o)| as_live(o, i))
        .collect()
}

pub fn run_diff<S: AsRef<std::ffi::OsStr>>(args: &[S], envs: &[(&str, &str)]) -> Run {
    let mut cmd = rollwright();
    cmd.args(args)
        .env_remove("KUBECONFIG")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

pub fn live_args(kubeconfig: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "diff".to_string(),
        example().display().to_string(),
        "--live".into(),
        "--kubeconfig".into(),
        kubeconfig.display().to_string(),
        "--request-timeout".into(),
        "10s".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}
