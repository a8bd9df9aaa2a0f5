//! A release of this checkout laid out as `scripts/package-release.sh` lays out the real one,
//! served by a small HTTP server on 127.0.0.1 the way GitHub serves release files
//! (`/download/TAG/FILE` and `/latest/download/FILE`).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use super::repo;

pub const TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// The Rust target triple whose archive install.sh picks on this machine, if it picks one.
pub fn host_target() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("x86_64-unknown-linux-musl"),
        ("linux", "aarch64") => Some("aarch64-unknown-linux-musl"),
        ("macos", "x86_64") => Some("x86_64-apple-darwin"),
        ("macos", "aarch64") => Some("aarch64-apple-darwin"),
        _ => None,
    }
}

/// Packages the test build of `rollwright` as the release `TAG` for this machine's target
/// into `root/download/TAG/`, and points `root/latest/download/VERSION` at it.
pub fn package(root: &Path) -> PathBuf {
    let target = host_target().expect("a platform install.sh has archives for");
    let bin = root.join("bin").join(target);
    std::fs::create_dir_all(&bin).unwrap();
    let built = env!("CARGO_BIN_EXE_rollwright");
    // The debug build is ten times a release build; without its symbols it packs in seconds.
    let stripped = Command::new("strip")
        .arg("-o")
        .arg(bin.join("rollwright"))
        .arg(built)
        .status()
        .is_ok_and(|s| s.success());
    if !stripped {
        std::fs::copy(built, bin.join("rollwright")).unwrap();
    }
    let out = root.join("download").join(TAG);
    let status = Command::new("sh")
        .arg(repo().join("scripts/package-release.sh"))
        .arg(&out)
        .arg(TAG)
        .arg(root.join("bin"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .status()
        .unwrap();
    assert!(status.success(), "package-release.sh failed");
    let latest = root.join("latest/download");
    std::fs::create_dir_all(&latest).unwrap();
    std::fs::copy(out.join("VERSION"), latest.join("VERSION")).unwrap();
    std::fs::remove_dir_all(root.join("bin")).unwrap();
    out
}

/// Serves the files under a directory; every request's path is recorded.
pub struct FileServer {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FileServer {
    pub fn start(root: &Path) -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (root, seen) = (root.to_path_buf(), requests.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (root, seen) = (root.clone(), seen.clone());
                std::thread::spawn(move || serve(conn, &root, &seen));
            }
        });
        FileServer { url, requests }
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(conn: TcpStream, root: &Path, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    seen.lock().unwrap().push(path.clone());
    let file = (!path.contains(".."))
        .then(|| root.join(path.trim_start_matches('/')))
        .filter(|p| p.is_file());
    let mut conn = conn;
    match file.and_then(|p| std::fs::read(p).ok()) {
        Some(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&body);
        }
        None => {
            let _ = conn.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found",
            );
        }
    }
}

/// Whether the tools install.sh needs are here; when not, the caller skips (or fails under
/// ROLLWRIGHT_REQUIRE_PEERS=1, as `.ci/run` sets).
pub fn can_run_install_sh() -> bool {
    let have = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let ok = host_target().is_some()
        && have("tar")
        && have("gzip")
        && (have("curl") || have("wget"))
        && (have("sha256sum") || have("shasum"));
    if !ok {
        assert!(
            std::env::var("ROLLWRIGHT_REQUIRE_PEERS").as_deref() != Ok("1"),
            "install.sh needs sh, tar, gzip, curl or wget, and sha256sum or shasum on Linux or macOS"
        );
        eprintln!("skipped: install.sh cannot run on this machine");
    }
    ok
}
