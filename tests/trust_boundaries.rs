//! Trust boundaries (docs/security.md): what a pull request's charts and refs, an Argo CD
//! Application's env or a cluster's objects cannot make rollwright do. Each test reproduces
//! an attack and checks that it no longer works.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::example;

fn bin() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("rollwright"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out: Output = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    run(bin().current_dir(dir).args(args))
}

/// A copy of the example chart at `dir`.
fn example_chart(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(example()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    dir.to_path_buf()
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `git mktree` from `(mode type id name)` entries.
fn mktree(dir: &Path, entries: &[(&str, &str, &str, &str)]) -> String {
    use std::io::Write;
    let text: String = entries
        .iter()
        .map(|(mode, kind, id, name)| format!("{mode} {kind} {id}\t{name}\n"))
        .collect();
    let mut child = Command::new("git")
        .current_dir(dir)
        .arg("mktree")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn repo_with_example(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    example_chart(&repo.join("chart"));
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "chart"]);
    repo
}

// Item 2: `diff --base-ref` and tree entries named `..`.
#[test]
fn base_ref_tree_entries_named_dotdot_cannot_write_outside_the_scratch_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_with_example(tmp.path());
    // chart/chart-templates/../../../../EVIL.txt: from the scratch directory (TMPDIR/.tmpX),
    // four levels up is the test's own directory.
    let blob = {
        std::fs::write(tmp.path().join("payload"), "pwned\n").unwrap();
        git(&repo, &["hash-object", "-w", "../payload"])
    };
    let mut tree = mktree(&repo, &[("100644", "blob", &blob, "EVIL.txt")]);
    for _ in 0..4 {
        tree = mktree(&repo, &[("040000", "tree", &tree, "..")]);
    }
    let values = git(&repo, &["rev-parse", "HEAD:chart/values.yaml"]);
    let chart = mktree(
        &repo,
        &[
            ("040000", "tree", &tree, "chart-templates"),
            ("100644", "blob", &values, "values.yaml"),
        ],
    );
    let root = mktree(&repo, &[("040000", "tree", &chart, "chart")]);
    let commit = git(&repo, &["commit-tree", &root, "-m", "evil"]);
    git(&repo, &["update-ref", "refs/heads/evil", &commit]);

    let scratch = tmp.path().join("a/b");
    std::fs::create_dir_all(&scratch).unwrap();
    let r = run(bin().current_dir(&repo).env("TMPDIR", &scratch).args([
        "diff",
        "chart",
        "--base-ref",
        "evil",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("refusing a path in the tree"),
        "{}",
        r.stderr
    );
    let evil: Vec<String> = files_under(tmp.path())
        .into_iter()
        .filter(|f| f.ends_with("EVIL.txt"))
        .collect();
    assert!(evil.is_empty(), "written: {evil:?}");
}

// Item 16: pathspec magic.
#[test]
fn base_ref_reads_a_chart_path_starting_with_a_colon_literally() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_with_example(tmp.path());
    // A directory named `:` holding the chart's values, and at the top a values.yaml that
    // `:/values.yaml` (pathspec magic for "values.yaml at the top") would name instead.
    example_chart(&repo.join(":"));
    let other = std::fs::read_to_string(repo.join("chart/values.yaml"))
        .unwrap()
        .replace("tag: \"1.28\"", "tag: \"9.9\"");
    std::fs::write(repo.join("values.yaml"), other).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "colon"]);
    let r = run_in(&repo, &["diff", ":/values.yaml", "--base-ref", "HEAD"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("No changes"), "{}", r.stdout);
    assert!(!r.stderr.contains("does not exist"), "{}", r.stderr);
}

#[test]
fn base_ref_starting_with_a_dash_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_with_example(tmp.path());
    let out = tmp.path().join("written");
    let flag = format!("--output={}", out.display());
    let r = run_in(&repo, &["diff", "chart", &format!("--base-ref={flag}")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot be empty or start with `-`"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
}

// Item 3: files named in Argo CD's env.
#[test]
fn argocd_env_values_outside_the_chart_are_refused_and_never_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = example_chart(&tmp.path().join("chart"));
    std::fs::write(tmp.path().join("token"), "eyJSECRET-TOKEN-1234\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../token", chart.join("link.yaml")).unwrap();
    let abs = tmp.path().join("token").display().to_string();
    for value in [abs.as_str(), "../token", "link.yaml", "/etc/passwd"] {
        let r = run(bin()
            .current_dir(&chart)
            .env("ARGOCD_ENV_ROLLWRIGHT_VALUES", value)
            .args(["render", ".", "--argocd-env"]));
        assert_eq!(r.code, 1, "{value}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("ARGOCD_ENV_ROLLWRIGHT_VALUES: refusing to read"),
            "{value}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("SECRET-TOKEN"), "{value}: {}", r.stderr);
        assert!(!r.stderr.contains("root:"), "{value}: {}", r.stderr);
    }
    // Inside the chart (also through a link that stays inside) it is read as before.
    std::fs::write(chart.join("prod.yaml"), "replicaCount: 7\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("prod.yaml", chart.join("inner.yaml")).unwrap();
    for value in ["prod.yaml", "./inner.yaml"] {
        let r = run(bin()
            .current_dir(&chart)
            .env("ARGOCD_ENV_ROLLWRIGHT_VALUES", value)
            .args(["render", ".", "--argocd-env"]));
        assert_eq!(r.code, 0, "{value}: {}", r.stderr);
        assert!(r.stdout.contains("replicas: 7"), "{value}");
    }
}

#[test]
fn a_values_file_that_is_not_a_mapping_is_not_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = example_chart(&tmp.path().join("chart"));
    std::fs::write(chart.join("token.yaml"), "eyJSECRET-TOKEN-1234\n").unwrap();
    let r = run(bin()
        .current_dir(&chart)
        .env("ARGOCD_ENV_ROLLWRIGHT_VALUES", "token.yaml")
        .args(["render", ".", "--argocd-env"]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("found a string (its text is not shown)"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("SECRET-TOKEN"), "{}", r.stderr);
    // The same for a manifest that is not an object.
    let r = run_in(&chart, &["validate", "token.yaml"]);
    assert!(!r.stderr.contains("SECRET-TOKEN") && !r.stdout.contains("SECRET-TOKEN"));
}

#[cfg(unix)]
#[test]
fn a_configuration_file_that_is_not_a_mapping_is_not_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = example_chart(&tmp.path().join("chart"));
    std::fs::write(tmp.path().join("token"), "eyJSECRET-TOKEN-1234\n").unwrap();
    // A repository's `.rollwright.yaml` linked to a token on the CI runner.
    std::os::unix::fs::symlink("../token", chart.join(".rollwright.yaml")).unwrap();
    for args in [vec!["validate", "."], vec!["diff", ".", "--base", "."]] {
        let r = run_in(&chart, &args);
        assert_ne!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("found a string (its text is not shown)"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("SECRET-TOKEN"), "{}", r.stderr);
    }
}

// Item 18: chart-templates linked out of the chart.
#[cfg(unix)]
#[test]
fn chart_templates_symlinked_outside_the_chart_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = example_chart(&tmp.path().join("chart"));
    std::fs::write(tmp.path().join("secret.yaml"), "SECRET-VALUE {{ oops\n").unwrap();
    std::fs::create_dir(chart.join("chart-templates")).unwrap();
    std::os::unix::fs::symlink("../../secret.yaml", chart.join("chart-templates/x.yaml")).unwrap();
    let r = run_in(&chart, &["render", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("refusing to read a template outside the chart"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("SECRET-VALUE"), "{}", r.stderr);

    // The directory itself linked elsewhere.
    std::fs::remove_dir_all(chart.join("chart-templates")).unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::copy(tmp.path().join("secret.yaml"), elsewhere.join("x.yaml")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", chart.join("chart-templates")).unwrap();
    let r = run_in(&chart, &["render", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("SECRET-VALUE"), "{}", r.stderr);

    // A link that stays inside the chart is a template like any other.
    std::fs::remove_file(chart.join("chart-templates")).unwrap();
    std::fs::create_dir(chart.join("chart-templates")).unwrap();
    std::fs::write(
        chart.join("shared.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../shared.yaml", chart.join("chart-templates/cm.yaml")).unwrap();
    let r = run_in(&chart, &["render", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("name: shared"));
}

/// A chart whose own template renders one ConfigMap of `kind` and `name`.
fn chart_with_object(dir: &Path, kind: &str, name: &str) -> PathBuf {
    let chart = example_chart(dir);
    std::fs::create_dir_all(chart.join("chart-templates")).unwrap();
    std::fs::write(
        chart.join("chart-templates/extra.yaml"),
        format!(
            "apiVersion: v1\nkind: {}\nmetadata:\n  name: {}\n",
            serde_json::Value::from(kind),
            serde_json::Value::from(name)
        ),
    )
    .unwrap();
    chart
}

// Item 4: `render --output-dir` and names with `/` and `..`.
#[test]
fn render_output_dir_refuses_names_that_leave_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // `x-` exists in the output directory, so `x-/../../escaped` would reach the parent.
    std::fs::create_dir_all(out.join("x-")).unwrap();
    for (kind, name) in [
        ("x", "/../../escaped"),
        ("ConfigMap", "../escaped"),
        ("x/../..", "escaped"),
        ("ConfigMap", "a\nb"),
    ] {
        let chart = chart_with_object(&tmp.path().join("chart"), kind, name);
        let r = run_in(
            &chart,
            &["render", ".", "--output-dir", out.to_str().unwrap()],
        );
        assert_eq!(r.code, 1, "{kind} {name}: {}", r.stderr);
        assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
        assert!(r.stderr.contains("to a file of its own"), "{}", r.stderr);
    }
    let written: Vec<String> = files_under(tmp.path())
        .into_iter()
        .filter(|f| !f.starts_with("chart/"))
        .collect();
    assert!(written.is_empty(), "written: {written:?}");
}

#[test]
fn render_output_dir_failure_half_way_leaves_the_directory_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("rollout-rollouts-demo.yaml"), "old\n").unwrap();
    // The last object's file is a directory: the write cannot finish.
    std::fs::create_dir(out.join("analysistemplate-success-rate.yaml")).unwrap();
    let r = run_in(
        &example(),
        &["render", ".", "--output-dir", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("rollout-rollouts-demo.yaml")).unwrap(),
        "old\n"
    );
    assert_eq!(
        files_under(&out),
        ["rollout-rollouts-demo.yaml"],
        "no file added, no staging left"
    );
}

// Item 15: export-helm.
#[test]
fn export_helm_chart_yaml_cannot_be_injected_through_the_chart_directory_name() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = example_chart(&tmp.path().join("demo\nversion: 9.9.9\nevil: true"));
    let out = tmp.path().join("helm");
    let r = run(bin().current_dir(tmp.path()).args([
        "export-helm",
        chart.to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(out.join("Chart.yaml")).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "apiVersion",
            "name",
            "description",
            "type",
            "version",
            "appVersion"
        ],
        "{text}"
    );
    assert_eq!(doc["version"], "0.1.0");
}

#[cfg(unix)]
#[test]
fn export_helm_does_not_write_through_a_planted_templates_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("helm");
    let r = run_in(
        &example(),
        &["export-helm", ".", "--output-dir", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A previous export, its templates/ replaced by a link to somewhere else.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::remove_dir_all(out.join("templates")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("templates")).unwrap();
    let before = std::fs::read_to_string(out.join("values.yaml")).unwrap();
    let r = run_in(
        &example(),
        &[
            "export-helm",
            ".",
            "--output-dir",
            out.to_str().unwrap(),
            "--name",
            "other",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
    assert!(
        files_under(&elsewhere).is_empty(),
        "written through the link"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("values.yaml")).unwrap(),
        before,
        "nothing replaced"
    );
}

// Item 8: what a write keeps.
#[cfg(unix)]
mod modes {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::process::CommandExt;

    fn with_umask(cmd: &mut Command, mask: u32) -> &mut Command {
        unsafe {
            cmd.pre_exec(move || {
                libc::umask(mask as libc::mode_t);
                Ok(())
            })
        }
    }

    #[test]
    fn set_keeps_the_files_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let chart = example_chart(&tmp.path().join("chart"));
        let values = chart.join("values.yaml");
        std::fs::set_permissions(&values, std::fs::Permissions::from_mode(0o640)).unwrap();
        let r = run_in(&chart, &["set", ".", "replicaCount=3"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mode = std::fs::metadata(&values).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o640, "mode {mode:o}");
        assert!(
            std::fs::read_to_string(&values)
                .unwrap()
                .contains("replicaCount: 3")
        );
    }

    /// Giving a file to another user needs root, which neither a developer's `cargo test`
    /// nor CI has: run it with `sudo -E cargo test --test trust_boundaries -- --ignored
    /// set_keeps_the_files_owner`. `.ci/run` leaves it out by name.
    #[test]
    #[ignore = "needs root"]
    fn set_keeps_the_files_owner() {
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: giving a file to another user needs root");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let chart = example_chart(&tmp.path().join("chart"));
        let values = chart.join("values.yaml");
        std::os::unix::fs::chown(&values, Some(4321), Some(4321)).unwrap();
        let r = run_in(&chart, &["set", ".", "replicaCount=3"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let m = std::fs::metadata(&values).unwrap();
        assert_eq!((m.uid(), m.gid()), (4321, 4321));
    }

    #[test]
    fn new_output_files_get_0666_less_the_umask() {
        for (mask, want) in [(0o022, 0o644), (0o027, 0o640)] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            let r = run(with_umask(bin().current_dir(example()), mask).args([
                "render",
                ".",
                "--output-dir",
                out.to_str().unwrap(),
            ]));
            assert_eq!(r.code, 0, "{}", r.stderr);
            // Into the directory now existing: new files get the same.
            std::fs::remove_file(out.join("rollout-rollouts-demo.yaml")).unwrap();
            let r = run(with_umask(bin().current_dir(example()), mask).args([
                "render",
                ".",
                "--output-dir",
                out.to_str().unwrap(),
            ]));
            assert_eq!(r.code, 0, "{}", r.stderr);
            for f in files_under(&out) {
                let mode = std::fs::metadata(out.join(&f)).unwrap().mode() & 0o777;
                assert_eq!(mode, want, "{f} under umask {mask:o}: {mode:o}");
            }
        }
    }

    #[test]
    fn set_writes_through_a_symlinked_values_file() {
        let tmp = tempfile::tempdir().unwrap();
        let chart = example_chart(&tmp.path().join("chart"));
        let common = tmp.path().join("common.yaml");
        std::fs::rename(chart.join("values.yaml"), &common).unwrap();
        std::os::unix::fs::symlink("../common.yaml", chart.join("values.yaml")).unwrap();
        let r = run_in(&chart, &["set-image", ".", "1.29"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let link = std::fs::symlink_metadata(chart.join("values.yaml")).unwrap();
        assert!(
            link.file_type().is_symlink(),
            "the link was replaced by a file"
        );
        assert!(
            std::fs::read_to_string(&common)
                .unwrap()
                .contains("tag: \"1.29\"")
        );
    }

    #[test]
    fn set_refuses_a_hard_linked_values_file() {
        let tmp = tempfile::tempdir().unwrap();
        let chart = example_chart(&tmp.path().join("chart"));
        let other = tmp.path().join("other-name.yaml");
        std::fs::hard_link(chart.join("values.yaml"), &other).unwrap();
        let before = std::fs::read_to_string(&other).unwrap();
        let r = run_in(&chart, &["set-image", ".", "1.29"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("has 2 hard links"), "{}", r.stderr);
        assert_eq!(std::fs::read_to_string(&other).unwrap(), before);
        assert_eq!(
            std::fs::metadata(&other).unwrap().nlink(),
            2,
            "the link was split"
        );
    }
}

// Item 9: the walk (tests/validate.rs has the FIFO and /dev/zero cases of `validate`).
#[cfg(unix)]
#[test]
fn diff_base_does_not_follow_a_file_symlink_out_of_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(
        outside.join("secret.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: token\ndata:\n  token: hunter2\n",
    )
    .unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n";
    for side in ["new", "base"] {
        std::fs::create_dir(tmp.path().join(side)).unwrap();
        std::fs::write(tmp.path().join(side).join("a.yaml"), cm).unwrap();
    }
    // The pull request's side holds a link to a file outside its tree (and a FIFO).
    std::os::unix::fs::symlink("../outside/secret.yaml", tmp.path().join("new/link.yaml")).unwrap();
    mkfifo(&tmp.path().join("new/pipe.yaml"));
    for format in ["unified", "markdown", "json"] {
        let r = run_bounded(
            tmp.path(),
            &["diff", "new", "--base", "base", "--format", format],
            &[],
        );
        assert_eq!(r.code, 0, "{format}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("hunter2"), "{format}: {}", r.stdout);
        assert!(!r.stdout.contains("token"), "{format}: {}", r.stdout);
    }
    let r = run_bounded(tmp.path(), &["diff", "new", "--base", "base"], &[]);
    assert!(r.stdout.starts_with("No changes: 1 object"), "{}", r.stdout);
}

// Item 9, beyond the walk: the values files, configuration and templates a repository holds.

/// Runs rollwright in `dir`, killing it if it has not ended within 30 s (a read of a FIFO
/// blocks for ever; the test must fail, not hang).
fn run_bounded(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    use std::io::Read;
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(30) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{args:?} in {} did not end within 30 s", dir.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success(), "mkfifo {}", path.display());
}

/// Each place a repository puts a file that rollwright reads outside a walk, made special by
/// `plant`; each read must be refused at once with what the file is.
#[cfg(unix)]
fn assert_special_files_refused(plant: fn(&Path), what: &str) {
    let tmp = tempfile::tempdir().unwrap();
    // Refused with what the file is, or (where the path is checked first, as for Argo CD's
    // env and templates) as a file that is not a regular file inside the chart.
    let refused = |label: &str, r: &Run, file: &str| {
        assert_ne!(r.code, 0, "{label}: {}{}", r.stdout, r.stderr);
        let message = format!("{file}: is {what}, not a regular file: not read");
        let checked_first = [
            format!("refusing to read `{file}`: it is not a regular file"),
            format!("refusing to read `{file}`: it resolves outside the directory"),
            "refusing to read a template outside the chart".to_owned(),
        ];
        assert!(
            r.stderr.contains(&message) || checked_first.iter().any(|m| r.stderr.contains(m)),
            "{label}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("help: "), "{label}: {}", r.stderr);
    };

    // The chart's own values.yaml, for render, validate (named), set and diff --base.
    let chart = example_chart(&tmp.path().join("values"));
    std::fs::remove_file(chart.join("values.yaml")).unwrap();
    plant(&chart.join("values.yaml"));
    for args in [
        vec!["render", "."],
        vec!["set", ".", "replicaCount=3"],
        vec!["render", "values.yaml"],
    ] {
        refused(
            &format!("values.yaml: {args:?}"),
            &run_bounded(&chart, &args, &[]),
            "values.yaml",
        );
    }
    // Named to `validate` (as pre-commit names a staged file) it is read as a stream, as
    // `<(helm template …)` is: it ends at once or at the size cap, never hangs.
    let r = run_bounded(
        &chart,
        &["validate", "--max-file-size", "1M", "values.yaml"],
        &[],
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);

    // An overlay named with -f, and the same through Argo CD's env.
    let chart = example_chart(&tmp.path().join("overlay"));
    plant(&chart.join("values-prod.yaml"));
    let r = run_bounded(&chart, &["render", ".", "-f", "values-prod.yaml"], &[]);
    refused("-f", &r, "values-prod.yaml");
    let r = run_bounded(
        &chart,
        &["render", ".", "--argocd-env"],
        &[("ARGOCD_ENV_ROLLWRIGHT_VALUES", "values-prod.yaml")],
    );
    refused("ARGOCD_ENV_ROLLWRIGHT_VALUES", &r, "values-prod.yaml");

    // The configuration file, found from the working directory or named.
    let chart = example_chart(&tmp.path().join("config"));
    plant(&chart.join(".rollwright.yaml"));
    refused(
        "config",
        &run_bounded(&chart, &["validate", "."], &[]),
        ".rollwright.yaml",
    );
    let r = run_bounded(&chart, &["diff", ".", "--base", "."], &[]);
    refused("config (diff)", &r, ".rollwright.yaml");
    let r = run_bounded(
        &chart,
        &["validate", "--config", ".rollwright.yaml", "values.yaml"],
        &[],
    );
    refused("--config", &r, ".rollwright.yaml");

    // A template of the chart's own.
    let chart = example_chart(&tmp.path().join("templates"));
    std::fs::create_dir(chart.join("chart-templates")).unwrap();
    plant(&chart.join("chart-templates/rollout.yaml"));
    let r = run_bounded(&chart, &["render", "."], &[]);
    refused("chart-templates", &r, "rollout.yaml");
}

#[cfg(unix)]
#[test]
fn values_config_and_template_files_that_are_fifos_are_refused_without_hanging() {
    assert_special_files_refused(mkfifo, "a FIFO");
}

#[cfg(unix)]
#[test]
fn values_config_and_template_files_linked_to_dev_zero_are_refused_unread() {
    assert_special_files_refused(
        |p| std::os::unix::fs::symlink("/dev/zero", p).unwrap(),
        "a character device",
    );
}

// Item 18: write errors and line ends.
#[test]
fn write_failures_say_cannot_write() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("file"), "").unwrap();
    let out = tmp.path().join("file/out");
    let r = run_in(
        &example(),
        &["render", ".", "--output-dir", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
    assert!(!r.stderr.contains("cannot read"), "{}", r.stderr);
    let r = run_in(
        &example(),
        &["export-helm", ".", "--output-dir", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
}

#[test]
fn set_keeps_crlf_line_ends_and_byte_order_mark() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = example_chart(&tmp.path().join("chart"));
    let values = chart.join("values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    let mut crlf = b"\xEF\xBB\xBF".to_vec();
    crlf.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    std::fs::write(&values, &crlf).unwrap();
    let r = run_in(
        &chart,
        &[
            "set",
            ".",
            "replicaCount=3",
            "rollout.revisionHistoryLimit=4",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(&values).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "the byte-order mark was dropped"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("revisionHistoryLimit: 4\r\n"), "{text:?}");
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "an LF-only line: {text:?}"
    );
}

/// `s` as a YAML double-quoted scalar: a JSON string with the characters YAML wants escaped
/// (C1 controls, bidirectional overrides are fine raw, but not C1) written as `\u` escapes.
fn yaml_string(s: &str) -> String {
    serde_json::Value::from(s)
        .to_string()
        .chars()
        .map(|c| match c {
            '\u{7f}'..='\u{9f}' | '\u{feff}' => format!("\\u{:04x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

// Item 12: terminal text.
/// Manifests for `diff --base`: a ConfigMap whose name and data hold terminal escapes and
/// workflow commands, changed between the two sides.
fn hostile_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let name = "\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\ \u{1b}[31mRED\rok \u{202e}evil \u{9b}2J ::error::pwned";
    let doc = |v: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n  a: {v}\n  script: |\n    ::error::from a block\n    ::add-mask::x\n    ok ##[error]legacy\n",
            yaml_string(name)
        )
    };
    let base = dir.join("base.yaml");
    let new = dir.join("new.yaml");
    std::fs::write(&base, doc("\"1\"")).unwrap();
    std::fs::write(&new, doc("\"2\"")).unwrap();
    (base, new)
}

fn assert_inert_for_a_terminal(label: &str, text: &str) {
    for c in text.chars() {
        let active = matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!active, "{label}: {c:?} reaches the terminal:\n{text}");
    }
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::") && !line.contains("##["),
            "{label}: a workflow command: {line:?}"
        );
    }
}

#[test]
fn terminal_escapes_in_names_reach_no_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, new) = hostile_pair(tmp.path());
    let r = run_in(
        tmp.path(),
        &[
            "diff",
            new.to_str().unwrap(),
            "--base",
            base.to_str().unwrap(),
            "--color",
            "never",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\\x1b]8;;http://evil"), "{}", r.stdout);
    assert!(r.stdout.contains("\\u{202e}evil"), "{}", r.stdout);
    assert_inert_for_a_terminal("diff", &r.stdout);
    // With colour, the only escape sequences are the colours.
    let r = run_in(
        tmp.path(),
        &[
            "diff",
            new.to_str().unwrap(),
            "--base",
            base.to_str().unwrap(),
            "--color",
            "always",
        ],
    );
    let stripped = regex::Regex::new("\u{1b}\\[[0-9;]*m")
        .unwrap()
        .replace_all(&r.stdout, "");
    assert_inert_for_a_terminal("coloured diff", &stripped);

    // validate: findings and errors quote the name.
    let r = run_in(tmp.path(), &["validate", new.to_str().unwrap()]);
    assert_inert_for_a_terminal("validate stdout", &r.stdout);
    assert_inert_for_a_terminal("validate stderr", &r.stderr);

    // explain and errors: a values file with escapes in names and keys.
    let chart = example_chart(&tmp.path().join("chart"));
    let r = run_in(
        &chart,
        &["explain", ".", "--name", "demo\u{1b}[2J\r::error::x"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("demo\\x1b[2J\\r::error::x"),
        "{}",
        r.stdout
    );
    assert_inert_for_a_terminal("explain", &r.stdout);
    std::fs::write(
        chart.join("bad.yaml"),
        "\"\\e]8;;http://x\\e\\\\key\\u202e\": 1\n",
    )
    .unwrap();
    let r = run_in(&chart, &["render", ".", "-f", "bad.yaml"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("\\x1b]8;;http://x"), "{}", r.stderr);
    assert_inert_for_a_terminal("error", &r.stderr);
}

#[test]
fn text_output_never_starts_a_line_with_a_workflow_command() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, new) = hostile_pair(tmp.path());
    // The data block changes too, so its lines are context or changed lines of the diff.
    let text = std::fs::read_to_string(&new)
        .unwrap()
        .replace("ok ##[error]legacy", "ok ##[error]legacy\n    more");
    std::fs::write(&new, text).unwrap();
    let r = run_in(
        tmp.path(),
        &[
            "diff",
            new.to_str().unwrap(),
            "--base",
            base.to_str().unwrap(),
            "-C",
            "9",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("\\x3a:error::from a block"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("##\\x5berror]legacy"), "{}", r.stdout);
    assert_inert_for_a_terminal("diff", &r.stdout);
}

// Items 5 and 14: Markdown.
/// Markdown output read by a CommonMark parser: the text outside code (where GitHub looks for
/// mentions, references and bare links), and the structure that is not text.
fn markdown_events(md: &str) -> (String, Vec<String>) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut text = String::new();
    let mut structure = Vec::new();
    let mut in_code = false;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if !in_code => text.push_str(&t),
            Event::Html(h) | Event::InlineHtml(h) => structure.push(format!("html {}", h.trim())),
            Event::Start(Tag::Heading { level, .. }) => structure.push(format!("heading {level}")),
            Event::Start(Tag::Link { dest_url, .. }) => structure.push(format!("link {dest_url}")),
            Event::Start(Tag::Image { dest_url, .. }) => {
                structure.push(format!("image {dest_url}"))
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough) => {
                structure.push("emphasis".into())
            }
            _ => {}
        }
    }
    (text, structure)
}

fn assert_no_live_mentions_or_links(label: &str, md: &str) {
    // GitHub's filters run on text outside code: no `@name`, `#12`, `://` or `www.` there.
    let (text, _) = markdown_events(md);
    let mention = regex::Regex::new(r"(^|[^\w])@[A-Za-z0-9]").unwrap();
    let reference = regex::Regex::new(r"#[0-9A-Za-z]").unwrap();
    assert!(!mention.is_match(&text), "{label}: a mention in {text:?}");
    assert!(
        !reference.is_match(&text),
        "{label}: a reference in {text:?}"
    );
    assert!(
        !text.contains("://") && !text.to_lowercase().contains("www."),
        "{label}: a bare link in {text:?}"
    );
}

#[test]
fn markdown_diff_names_cannot_break_out_mention_or_link() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "x`</summary>\n\n# Pwned @acme/security #12 ![img](https://evil.example/a.png) [click](https://evil.example) www.evil.example\n\n<details><summary>**b** | c";
    let doc = |v: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n  a: {v}\n  md: |\n    ```\n    </details>\n    @acme/security\n",
            serde_json::Value::from(name)
        )
    };
    std::fs::write(tmp.path().join("base.yaml"), doc("\"1\"")).unwrap();
    std::fs::write(tmp.path().join("new.yaml"), doc("\"2\"")).unwrap();
    let r = run_in(
        tmp.path(),
        &[
            "diff",
            "new.yaml",
            "--base",
            "base.yaml",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (_, structure) = markdown_events(&r.stdout);
    assert_eq!(
        structure,
        [
            "html <!-- rollwright-diff -->",
            "heading h3",
            "html <details><summary>ConfigMap x`&lt;/summary&gt;\\n\\n# Pwned @\u{200b}acme/security #\u{200b}12 ![img](https:\u{200b}//evil.example/a.png) [click](https:\u{200b}//evil.example) www\u{200b}.evil.example\\n\\n&lt;details&gt;&lt;summary&gt;**b** | c (changed)</summary>",
            "html </details>",
        ],
        "{}",
        r.stdout
    );
    assert_no_live_mentions_or_links("diff", &r.stdout);
    assert_inert_for_a_terminal("markdown diff", &r.stdout);
}

#[test]
fn markdown_explain_values_cannot_break_out() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = example_chart(&tmp.path().join("chart"));
    let explain = |value: &str| {
        run_in(
            &chart,
            &[
                "explain",
                ".",
                "--format",
                "markdown",
                "--name",
                value,
                "--set-string",
                &format!(
                    "rollout.strategy.blueGreen.activeService={}",
                    value.replace(',', "\\,")
                ),
            ],
        )
    };
    let r = explain("a`</x>\n\n# H @acme | ![i](https://e/x.png) **b** #12");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The same structure (headings, emphasis of findings, HTML: none) as with a plain name.
    let (_, structure) = markdown_events(&r.stdout);
    let plain = explain("plain-name");
    let (_, plain_structure) = markdown_events(&plain.stdout);
    assert_eq!(structure, plain_structure, "{}", r.stdout);
    assert_no_live_mentions_or_links("explain", &r.stdout);
    // The table keeps its two columns in every row.
    for line in r.stdout.lines().filter(|l| l.starts_with("| `")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 3, "{line}");
    }
}

#[test]
fn markdown_diff_stays_within_max_bytes_with_a_long_object_id() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = |name: &str, v: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n  a: {v}\n",
            serde_json::Value::from(name)
        )
    };
    // A name short enough for its section to be cut (not left out) is the case where the id
    // went into the closing note whole.
    let names = [
        "n".repeat(600),
        "n".repeat(1_500),
        "n".repeat(20_000),
        "n".repeat(30_000),
        "n".repeat(80_000),
        "<&@\u{202e}".repeat(2_000),
    ];
    for name in &names {
        std::fs::write(tmp.path().join("base.yaml"), doc(name, "\"1\"")).unwrap();
        std::fs::write(tmp.path().join("new.yaml"), doc(name, "\"2\"")).unwrap();
        for max in ["2048", "4096", "65536"] {
            let r = run_in(
                tmp.path(),
                &[
                    "diff",
                    "new.yaml",
                    "--base",
                    "base.yaml",
                    "--format",
                    "markdown",
                    "--max-bytes",
                    max,
                ],
            );
            assert_eq!(r.code, 0, "{}", r.stderr);
            let max: usize = max.parse().unwrap();
            assert!(
                r.stdout.len() <= max,
                "{} bytes for --max-bytes {max} (a name of {} bytes)",
                r.stdout.len(),
                name.len()
            );
        }
    }
}
