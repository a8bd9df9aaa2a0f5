//! install.sh against a release of this checkout served on 127.0.0.1: it picks the archive
//! for the OS and CPU, checks it against SHA256SUMS, installs into the chosen directory, and
//! refuses a checksum mismatch, an unknown platform and plain http to another host.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::release::{self, FileServer, TAG};
use common::repo;

/// One packaged release per test binary (packing takes seconds), copied per test that alters it.
fn packaged() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        release::package(dir.path());
        dir
    })
    .path()
}

struct Installed {
    code: i32,
    stderr: String,
    dir: tempfile::TempDir,
}

/// Runs install.sh with `args`, `uname` answering `uname_s`/`uname_m` when given.
fn install(base_url: &str, args: &[&str], uname: Option<(&str, &str)>) -> Installed {
    let dir = tempfile::tempdir().unwrap();
    let mut path = std::env::var("PATH").unwrap_or_default();
    if let Some((s, m)) = uname {
        let shim = dir.path().join("shim");
        std::fs::create_dir(&shim).unwrap();
        let script = format!(
            "#!/bin/sh\ncase \"$1\" in -s) echo {s} ;; -m) echo {m} ;; *) echo {s} ;; esac\n"
        );
        let uname = shim.join("uname");
        std::fs::write(&uname, script).unwrap();
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(&uname)
            .status()
            .unwrap();
        path = format!("{}:{path}", shim.display());
    }
    let out = Command::new("sh")
        .arg(repo().join("install.sh"))
        .args(["--base-url", base_url, "--dir"])
        .arg(dir.path().join("bin"))
        .args(args)
        .env("PATH", path)
        .env_remove("ROLLWRIGHT_VERSION")
        .env_remove("ROLLWRIGHT_INSTALL_DIR")
        .env_remove("ROLLWRIGHT_BASE_URL")
        .output()
        .unwrap();
    Installed {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

#[test]
fn installs_the_latest_release_checked_against_its_sums() {
    if !release::can_run_install_sh() {
        return;
    }
    let server = FileServer::start(packaged());
    let run = install(&server.url, &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bin = run.dir.path().join("bin/rollwright");
    let out = Command::new(&bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("rollwright {}", env!("CARGO_PKG_VERSION"))
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&bin).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let target = release::host_target().unwrap();
    assert_eq!(
        server.requests(),
        vec![
            "/latest/download/VERSION".to_string(),
            format!("/download/{TAG}/SHA256SUMS"),
            format!("/download/{TAG}/rollwright-{target}.tar.gz"),
        ]
    );
    assert!(run.stderr.contains(&format!(
        "installed rollwright {}",
        env!("CARGO_PKG_VERSION")
    )));
    // Nothing but the binary is left in the directory.
    let names: Vec<_> = std::fs::read_dir(run.dir.path().join("bin"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("rollwright")]);
}

#[test]
fn a_pinned_version_is_fetched_from_its_own_release() {
    if !release::can_run_install_sh() {
        return;
    }
    let server = FileServer::start(packaged());
    let bare = TAG.trim_start_matches('v');
    let run = install(&server.url, &["--version", bare], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.starts_with(&format!("/download/{TAG}/")))
    );

    let missing = install(&server.url, &["--version", "v9.9.9"], None);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("check that release v9.9.9 exists"),
        "{}",
        missing.stderr
    );
    assert!(!missing.dir.path().join("bin/rollwright").exists());
}

#[test]
fn a_checksum_mismatch_installs_nothing() {
    if !release::can_run_install_sh() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    copy_tree(packaged(), root.path());
    let sums = root.path().join("download").join(TAG).join("SHA256SUMS");
    let text = std::fs::read_to_string(&sums).unwrap();
    let flipped: String = text
        .lines()
        .map(|l| {
            let (hash, name) = l.split_once("  ").unwrap();
            let first = if hash.starts_with('0') { "1" } else { "0" };
            format!("{first}{}  {name}\n", &hash[1..])
        })
        .collect();
    std::fs::write(&sums, flipped).unwrap();
    let server = FileServer::start(root.path());
    let run = install(&server.url, &["--version", TAG], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("checksum mismatch for rollwright-"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was installed"),
        "{}",
        run.stderr
    );
    assert!(!run.dir.path().join("bin").exists());
}

#[test]
fn an_unknown_platform_is_refused_before_any_download() {
    if !release::can_run_install_sh() {
        return;
    }
    let server = FileServer::start(packaged());
    let run = install(&server.url, &[], Some(("Linux", "riscv64")));
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no release archive for Linux/riscv64"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("cargo install --locked"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty());

    let run = install(&server.url, &[], Some(("SunOS", "x86_64")));
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no release archive for SunOS/x86_64"));
}

#[test]
fn the_archive_is_picked_by_os_and_cpu() {
    if !release::can_run_install_sh() {
        return;
    }
    let server = FileServer::start(packaged());
    for (s, m, target) in [
        ("Darwin", "arm64", "aarch64-apple-darwin.tar.gz"),
        ("Darwin", "x86_64", "x86_64-apple-darwin.tar.gz"),
        ("Linux", "aarch64", "aarch64-unknown-linux-musl.tar.gz"),
        ("Linux", "amd64", "x86_64-unknown-linux-musl.tar.gz"),
        ("MINGW64_NT-10.0", "x86_64", "x86_64-pc-windows-msvc.zip"),
    ] {
        let run = install(&server.url, &["--version", TAG], Some((s, m)));
        let asked = format!("/download/{TAG}/rollwright-{target}");
        assert!(
            server.requests().contains(&asked),
            "{s}/{m}: {:?}",
            server.requests()
        );
        if !asked.ends_with(&format!("{}.tar.gz", release::host_target().unwrap())) {
            assert_eq!(run.code, 1, "{s}/{m}");
            assert!(run.stderr.contains("has an archive for"), "{}", run.stderr);
        }
    }
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let run = install("http://example.com/releases", &[], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("refusing to download from 'http://example.com/releases'")
    );
    let run = install("https://example.com/r", &["--version", "main;rm"], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not a release tag"),
        "{}",
        run.stderr
    );
}

#[test]
fn packaging_the_same_binaries_twice_gives_the_same_bytes() {
    if !release::can_run_install_sh() {
        return;
    }
    let again = tempfile::tempdir().unwrap();
    release::package(again.path());
    for name in ["SHA256SUMS", "VERSION"] {
        let a = std::fs::read(packaged().join("download").join(TAG).join(name)).unwrap();
        let b = std::fs::read(again.path().join("download").join(TAG).join(name)).unwrap();
        assert_eq!(a, b, "{name} differs");
    }
}
