//! Running a peer tool (kustomize, `kubectl kustomize`, helm) on repository content.
//!
//! The content is someone else's (a pull request), so the tool runs with as little as it
//! needs: an empty environment but `PATH`, a scratch home (no user configuration, plugins,
//! repositories or kubeconfig), proxies that lead nowhere (no network by accident), git
//! refusing every transport, a time limit and a cap on what it may print.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one build may take.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// The most a build may print.
pub const MAX_OUTPUT: u64 = 256 << 20;
/// The most of a tool's standard error kept for a message.
const MAX_STDERR: u64 = 64 << 10;

/// A program found on PATH, and the arguments that come before ours.
#[derive(Debug, Clone)]
pub struct Tool {
    pub program: PathBuf,
    pub prefix: Vec<&'static str>,
    /// How messages name it: `kustomize build`, `kubectl kustomize`, `helm template`.
    pub label: &'static str,
}

/// `kustomize build`, else `kubectl kustomize`, from PATH.
pub fn kustomize() -> Option<Tool> {
    if let Some(p) = find("kustomize") {
        return Some(Tool {
            program: p,
            prefix: vec!["build"],
            label: "kustomize build",
        });
    }
    find("kubectl").map(|p| Tool {
        program: p,
        prefix: vec!["kustomize"],
        label: "kubectl kustomize",
    })
}

/// `helm template`, from PATH.
pub fn helm() -> Option<Tool> {
    find("helm").map(|p| Tool {
        program: p,
        prefix: vec!["template"],
        label: "helm template",
    })
}

/// An executable file named `name` in a directory of PATH.
pub fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// Why a run gave no output.
#[derive(Debug)]
pub enum Failure {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It exited unsuccessfully; its standard error, cleaned for a terminal.
    Exit(String),
    TimedOut,
    TooMuchOutput,
}

impl Failure {
    pub fn describe(&self, tool: &Tool) -> String {
        match self {
            Failure::Spawn(e) => format!("`{}` could not be started: {e}", tool.label),
            Failure::Exit(stderr) => format!("`{}` failed: {stderr}", tool.label),
            Failure::TimedOut => format!(
                "`{}` took longer than {} s and was stopped",
                tool.label,
                TIMEOUT.as_secs()
            ),
            Failure::TooMuchOutput => format!(
                "`{}` printed more than {} and was stopped",
                tool.label,
                super::walk::human_size(MAX_OUTPUT)
            ),
        }
    }
}

/// Runs `tool` with `args` (after its prefix) and returns what it printed.
pub fn run(tool: &Tool, args: &[&std::ffi::OsStr]) -> Result<Vec<u8>, Failure> {
    let scratch = tempfile::Builder::new()
        .prefix("rollwright-peer-")
        .tempdir()
        .map_err(Failure::Spawn)?;
    let home = scratch.path();
    let mut cmd = Command::new(&tool.program);
    cmd.args(&tool.prefix)
        .args(args)
        .current_dir(home)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let dead_proxy = "http://127.0.0.1:9";
    for (k, v) in [
        ("HOME", home.as_os_str()),
        ("XDG_CONFIG_HOME", home.as_os_str()),
        ("XDG_CACHE_HOME", home.as_os_str()),
        ("XDG_DATA_HOME", home.as_os_str()),
        ("HELM_CONFIG_HOME", home.as_os_str()),
        ("HELM_CACHE_HOME", home.as_os_str()),
        ("HELM_DATA_HOME", home.as_os_str()),
        ("HELM_PLUGINS", home.as_os_str()),
        ("KUBECONFIG", home.join("kubeconfig").as_os_str()),
        ("HTTP_PROXY", dead_proxy.as_ref()),
        ("HTTPS_PROXY", dead_proxy.as_ref()),
        ("http_proxy", dead_proxy.as_ref()),
        ("https_proxy", dead_proxy.as_ref()),
        ("ALL_PROXY", dead_proxy.as_ref()),
        ("GIT_ALLOW_PROTOCOL", "none".as_ref()),
        ("GIT_TERMINAL_PROMPT", "0".as_ref()),
        ("GIT_CONFIG_NOSYSTEM", "1".as_ref()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".as_ref()),
        ("LC_ALL", "C".as_ref()),
    ] {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(Failure::Spawn)?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let r = stdout.by_ref().take(MAX_OUTPUT + 1).read_to_end(&mut buf);
        r.map(|_| buf)
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.by_ref().take(MAX_STDERR).read_to_end(&mut buf);
        // Drain the rest so the tool never blocks on a full pipe.
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out.join().ok().and_then(Result::ok).unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(Failure::TimedOut);
    };
    if stdout.len() as u64 > MAX_OUTPUT {
        return Err(Failure::TooMuchOutput);
    }
    if !status.success() {
        return Err(Failure::Exit(clean_stderr(&stderr)));
    }
    Ok(stdout)
}

/// A tool's standard error for one message: at most 20 lines, each escaped for a terminal
/// (nothing it prints can drive the terminal or a CI log).
pub fn clean_stderr(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(20)
        .map(|l| crate::sanitize::terminal::line(l).into_owned())
        .collect();
    if lines.len() > 20 {
        out.push(format!("… {} more lines", lines.len() - 20));
    }
    if out.is_empty() {
        return "it printed no reason".into();
    }
    out.join("\n  ")
}
