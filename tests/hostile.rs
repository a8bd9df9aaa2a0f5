//! Hostile inputs: every file under `fixtures/hostile/` is given to `validate` and to `render`
//! (as a values file), plus generated monsters (10,000 levels of nesting, a 50 MB scalar, an
//! alias bomb, a 10,000-segment `--set` path) and every flag with a malformed value. Each run
//! must end with a clear exit code (0, 1 or 2; never a panic or a signal), an error message
//! when it fails, within its CPU-time limit, and with a peak resident memory under 200 MB
//! (both measured per run with wait4; CPU time rather than wall time, so that a loaded machine
//! does not fail the suite, with a wall-clock limit ten times larger against hangs). An address-space limit (RLIMIT_AS, 2 GB) stops a runaway
//! allocation early; it is larger because thread stacks and malloc arenas reserve address
//! space they never touch.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The limit per run. Tests run the unoptimised binary, which is several times slower than
/// the release build the 1-second promise is about.
fn time_limit() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(8)
    } else {
        Duration::from_secs(1)
    }
}

const MEMORY_LIMIT: u64 = 200 * 1024 * 1024;
const ADDRESS_SPACE_LIMIT: u64 = 2 * 1024 * 1024 * 1024;

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    /// User and system CPU time of the run.
    cpu: Duration,
    /// Peak resident set size in bytes.
    peak: u64,
}

fn run(dir: &Path, args: &[&str]) -> Outcome {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("rollwright"));
    cmd.current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE_LIMIT,
                rlim_max: ADDRESS_SPACE_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    // Reaped by wait4 below, which std's wait cannot stand in for.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().unwrap();
    let mut stderr = Vec::new();
    std::io::Read::read_to_end(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    // wait4 reports this child's own peak memory (std's wait does not).
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Outcome {
        code,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        elapsed: start.elapsed(),
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        peak: usage.ru_maxrss as u64 * 1024,
    }
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

fn judge(label: &str, o: &Outcome, problems: &mut Vec<String>) {
    match o.code {
        Some(0..=2) => {}
        other => problems.push(format!("{label}: exit {other:?}\n{}", o.stderr)),
    }
    if o.stderr.contains("panicked") || o.stderr.contains("RUST_BACKTRACE") {
        problems.push(format!("{label}: panicked\n{}", o.stderr));
    }
    if o.code == Some(2) && !o.stderr.contains("error") && !o.stderr.contains("Usage") {
        problems.push(format!("{label}: failed without an error message"));
    }
    if o.cpu > time_limit() {
        problems.push(format!("{label}: took {:?} of CPU time", o.cpu));
    }
    if o.elapsed > time_limit() * 10 {
        problems.push(format!("{label}: took {:?}", o.elapsed));
    }
    if o.peak > MEMORY_LIMIT {
        problems.push(format!("{label}: peak memory {} MB", o.peak >> 20));
    }
}

fn hostile_dir() -> PathBuf {
    common::repo().join("fixtures/hostile")
}

#[test]
fn every_hostile_file_gets_a_clear_answer() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(hostile_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 60, "{} hostile files", files.len());
    let mut problems = Vec::new();
    let mut cases = 0;
    for f in &files {
        let p = f.to_str().unwrap();
        for args in [
            vec!["validate", p],
            vec!["validate", "--format", "sarif", p],
            vec!["render", p],
        ] {
            cases += 1;
            judge(
                &format!("{args:?}"),
                &run(&common::repo(), &args),
                &mut problems,
            );
        }
    }
    assert!(cases >= 100, "{cases} cases");
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}

/// Writes `text` to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn generated_monsters_get_a_clear_answer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut problems = Vec::new();

    let deep_block: String = (0..10_000)
        .map(|i| format!("{}k:\n", " ".repeat(i % 200)))
        .collect();
    let deep_flow = format!("a: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let deep_map = format!("a: {}1{}\n", "{b: ".repeat(10_000), "}".repeat(10_000));
    let big_scalar = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: {}\n",
        "x".repeat(50 * 1024 * 1024)
    );
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let prev = (b'a' + i - 1) as char;
        let this = (b'a' + i) as char;
        bomb.push_str(&format!("{this}: &{this} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    let many_keys: String = (0..20_000).map(|i| format!("k{i}: {i}\n")).collect();
    let files = [
        ("deep-flow.yaml", deep_flow.into_bytes()),
        ("deep-map.yaml", deep_map.into_bytes()),
        ("deep-block.yaml", deep_block.into_bytes()),
        ("big-scalar.yaml", big_scalar.into_bytes()),
        ("bomb.yaml", bomb.into_bytes()),
        ("many-keys.yaml", many_keys.into_bytes()),
    ];
    for (name, text) in files {
        let p = write(d, name, &text);
        for args in [vec!["validate", p.as_str()], vec!["render", p.as_str()]] {
            judge(
                &format!("{name} {:?}", args[0]),
                &run(d, &args),
                &mut problems,
            );
        }
    }
    // The 50 MB ConfigMap is an object the API server would refuse, so it is not even read.
    let p = d.join("big-scalar.yaml");
    let o = run(d, &["validate", p.to_str().unwrap()]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("big-scalar.yaml:1:1: this document is"),
        "{}",
        o.stderr
    );

    let example = common::example();
    let ex = example.to_str().unwrap();
    let deep_set = format!("{}=1", vec!["a"; 10_000].join("."));
    let deep_index = format!("a{}=1", "[0]".repeat(10_000));
    for set in [
        deep_set.as_str(),
        deep_index.as_str(),
        "a[99999999]=1",
        "a[-1]=1",
        "[0]=1",
        "a.=1",
        "\\",
        "a={",
        "a={x",
        "a={x}y=1",
    ] {
        judge(
            &format!("--set {:.40}", set),
            &run(d, &["render", ex, "--set", set]),
            &mut problems,
        );
    }
    judge(
        "--set-json deep",
        &run(
            d,
            &[
                "render",
                ex,
                "--set-json",
                &format!("a={}1{}", "[".repeat(5000), "]".repeat(5000)),
            ],
        ),
        &mut problems,
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}

#[test]
fn malformed_flags_get_a_clear_answer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = common::example();
    let ex = example.to_str().unwrap();
    let file = write(d, "file.txt", b"x");
    let values_dir = d.to_str().unwrap().to_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec!["validate", "--format", "xml", "."],
        vec!["validate", "--severity", "fatal", "."],
        vec!["validate", "--color", "sometimes", "."],
        vec!["validate", "--crds", "no/such/crds", ex],
        vec!["validate", "--crds", &file, ex],
        vec!["validate", "--config", "no/such/config.yaml", ex],
        vec!["validate", "--config", &file, ex],
        vec!["validate", "--exclude", "[", ex],
        vec!["validate", "--exclude", "a{b", ex],
        vec!["validate", "--no-such-flag"],
        vec!["validate", ""],
        vec!["render", ex, "-f"],
        vec!["render", ex, "-f", &values_dir],
        vec!["render", ex, "-f", "no/such/values.yaml"],
        vec!["render", ex, "-f", &file],
        vec!["render", ex, "--set"],
        vec!["render", ex, "--set", ""],
        vec!["render", ex, "--set", "="],
        vec!["render", ex, "--set", ",,,"],
        vec!["render", ex, "--set-string", "a"],
        vec!["render", ex, "--set-json", "a="],
        vec!["render", ex, "--set-json", "a={"],
        vec!["render", ex, "--set-json", "a=nul"],
        vec!["render", ex, "--name", ""],
        vec!["render", ex, "--name", "Not A Name"],
        vec!["render", ex, "-n", ""],
        vec!["render", ex, "--output-dir", &file],
        vec!["render", ex, "--output-dir", ""],
        vec!["render", ""],
        vec!["render", &file],
        vec!["rules", "--markdown", "extra"],
        vec!["schema", "extra"],
        vec!["no-such-command"],
        vec![],
    ];
    let mut problems = Vec::new();
    for args in &cases {
        let o = run(d, args);
        judge(&format!("{args:?}"), &o, &mut problems);
        if o.code == Some(0)
            && !args.is_empty()
            && args.iter().any(|a| a.starts_with("--") || a.is_empty())
            && args[0] != "render"
        {
            problems.push(format!("{args:?}: accepted"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}
