//! The sides read from files: a chart rendered with the render flags, a values file standing
//! for its chart, or manifests (a file, a directory, standard input); and the same files as
//! they are at a git ref, for `--base-ref`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::input::{self, InputOptions};
use crate::sanitize::path::output_path;
use crate::values::{self, ValuesInput};
use crate::yaml;

/// What a path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A rollwright chart directory, or a values file standing for it: rendered.
    Chart,
    /// Kubernetes manifests: read as they are.
    Manifests,
}

/// Tells a chart (or values file) from manifests.
pub fn classify(path: &Path) -> Result<InputKind> {
    if path == Path::new("-") {
        return Ok(InputKind::Manifests);
    }
    if path.is_dir() {
        return Ok(if input::is_chart(path) {
            InputKind::Chart
        } else {
            InputKind::Manifests
        });
    }
    let bytes = crate::fsutil::read_capped(path, crate::fsutil::DEFAULT_MAX_FILE_SIZE, false)?;
    let text = yaml::decode(&bytes).map_err(|e| Diagnostic::yaml(path, e))?;
    // A top-level `apiVersion` marks manifests (values files have no such key); looking for
    // it spares a second parse of what may be thousands of documents.
    let manifests =
        text.lines().any(|l| l.starts_with("apiVersion:")) || text.contains("\"apiVersion\"");
    Ok(if manifests {
        InputKind::Manifests
    } else {
        InputKind::Chart
    })
}

/// Whether any render flag was given.
pub fn has_render_flags(values: &ValuesInput) -> bool {
    !values.files.is_empty()
        || !values.set.is_empty()
        || !values.set_string.is_empty()
        || !values.set_json.is_empty()
        || values.name.is_some()
}

/// Reads one side. A chart is rendered with `values` (its `chart` replaced by `path`);
/// manifests are read as they are, and objects of namespaced kinds without a namespace get
/// `namespace` when one is given (as `kubectl -n` does).
pub fn load(path: &Path, values: &ValuesInput, namespace: Option<&str>) -> Result<Vec<Value>> {
    match classify(path)? {
        InputKind::Chart => {
            let input = ValuesInput {
                chart: path.to_path_buf(),
                ..values.clone()
            };
            let loaded = values::load(&input)?;
            let objects = crate::render::render(&loaded, namespace)?;
            Ok(objects.into_iter().map(|o| o.value).collect())
        }
        InputKind::Manifests => {
            if has_render_flags(values) {
                return Err(Error::one(
                    Diagnostic::new(
                        Some(Location::file(path, None)),
                        "holds manifests; -f, --set, --set-string, --set-json and --name apply to a chart",
                    )
                    .with_help("name a chart directory (holding values.yaml) or a values file, or drop the render flags"),
                ));
            }
            let inputs = input::read(&InputOptions {
                paths: vec![path.to_path_buf()],
                ..InputOptions::default()
            });
            if !inputs.errors.is_empty() {
                return Err(Error::many(inputs.errors));
            }
            let mut out: Vec<Value> = inputs.objects.into_iter().map(|o| o.value).collect();
            if let Some(ns) = namespace {
                set_default_namespace(&mut out, ns);
            }
            Ok(out)
        }
    }
}

/// Gives namespaced objects without a namespace the namespace `ns`.
pub fn set_default_namespace(objects: &mut [Value], ns: &str) {
    for o in objects {
        if o.pointer("/metadata/namespace").is_none()
            && super::kinds::is_namespaced_kind(o)
            && let Some(Value::Object(meta)) = o.get_mut("metadata")
        {
            // Right after the name, where a render puts it.
            let at = meta.keys().position(|k| k == "name").map_or(0, |i| i + 1);
            meta.shift_insert(at, "namespace".into(), Value::String(ns.to_string()));
        }
    }
}

/// Files checked out from a git ref into a temporary directory.
#[derive(Debug)]
pub struct Checkout {
    /// Removed when dropped.
    pub dir: tempfile::TempDir,
    /// INPUT at the ref, or `None` when it did not exist there.
    pub input: Option<PathBuf>,
    /// The `-f` files at the ref; a file that did not exist there is left out.
    pub files: Vec<PathBuf>,
    pub notes: Vec<String>,
}

/// git with the repository at `dir`. Pathspecs are literal: a path such as `:(top)x` or
/// `:/values.yaml` (a directory named `:`) names that path, not git's pathspec magic.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("--literal-pathspecs")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::one(
                Diagnostic::new(
                    Some(Location::Flag("--base-ref".into())),
                    format!("cannot run git: {e}"),
                )
                .with_help("--base-ref needs git on the PATH"),
            )
        })?;
    if !out.status.success() {
        return Err(Error::one(
            Diagnostic::new(
                Some(Location::Flag("--base-ref".into())),
                format!(
                    "git {} failed: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            )
            .with_help("check that the ref exists here (`git rev-parse REF`); in CI, fetch it (actions/checkout with fetch-depth: 0)"),
        ));
    }
    Ok(out.stdout)
}

/// A path relative to the repository's top, with `/` separators as git writes them.
fn relative(top: &Path, path: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(path).ok()?;
    let rel = abs.strip_prefix(top).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Checks out `input` and the `-f` files as they are at `git_ref`, into a temporary
/// directory laid out as the repository is. One `git ls-tree` lists them and one
/// `git cat-file --batch` reads them, whatever their number.
pub fn at_ref(git_ref: &str, input: &Path, files: &[PathBuf]) -> Result<Checkout> {
    let flag = || Some(Location::Flag(format!("--base-ref {git_ref}")));
    // A ref that git would read as an option (`--output=…`) is refused, not passed on.
    if git_ref.starts_with('-') || git_ref.is_empty() {
        return Err(Error::one(
            Diagnostic::new(flag(), "a git ref cannot be empty or start with `-`")
                .with_help("name a branch, tag or commit, e.g. origin/main"),
        ));
    }
    if input == Path::new("-") {
        return Err(Error::one(
            Diagnostic::new(flag(), "standard input has no version at a git ref")
                .with_help("name the chart or manifests path in the repository"),
        ));
    }
    let start = if input.is_dir() {
        input.to_path_buf()
    } else {
        input
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    let top = git(&start, &["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let commit = format!("{git_ref}^{{commit}}");
    if git(&top, &["rev-parse", "--verify", "--quiet", &commit]).is_err() {
        return Err(Error::one(
            Diagnostic::new(
                flag(),
                format!("no commit `{git_ref}` in {}", top.display()),
            )
            .with_help(
                "fetch it first (`git fetch origin main`; actions/checkout needs `fetch-depth: 0`)",
            ),
        ));
    }
    let input_rel = relative(&top, input).ok_or_else(|| {
        Error::one(
            Diagnostic::new(
                Some(Location::file(input, None)),
                format!("is not inside the git repository {}", top.display()),
            )
            .with_help("--base-ref reads INPUT's own files at the ref"),
        )
    })?;
    let mut notes = Vec::new();
    let mut wanted = vec![input_rel.clone()];
    // A values file standing for its chart renders with the chart's template overrides.
    if input.is_file()
        && classify(input)? == InputKind::Chart
        && let Some((dir, _)) = input_rel.rsplit_once('/').or(Some(("", "")))
    {
        wanted.push(if dir.is_empty() {
            "chart-templates".to_string()
        } else {
            format!("{dir}/chart-templates")
        });
    }
    let mut file_rels = Vec::new();
    for f in files {
        match relative(&top, f) {
            Some(rel) => {
                wanted.push(rel.clone());
                file_rels.push(Some(rel));
            }
            None => {
                notes.push(format!(
                    "{}: outside the repository, the same file is used for both sides",
                    f.display()
                ));
                file_rels.push(None);
            }
        }
    }
    let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", git_ref, "--"];
    let pathspecs: Vec<String> = wanted
        .iter()
        .map(|w| {
            if w.is_empty() {
                ".".to_string()
            } else {
                w.clone()
            }
        })
        .collect();
    args.extend(pathspecs.iter().map(String::as_str));
    let listing = git(&top, &args)?;
    let mut blobs = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (mode, kind, sha) = (meta.next(), meta.next(), meta.next());
        // Blobs only: symbolic links (120000) and submodules are not followed.
        if kind == Some("blob") && mode != Some("120000") {
            blobs.push((sha.unwrap_or_default().to_string(), path.to_string()));
        }
    }
    let dir = tempfile::tempdir().map_err(|e| {
        Error::msg(
            format!("cannot create a temporary directory: {e}"),
            "check TMPDIR: it must name a writable directory with free space",
        )
    })?;
    write_blobs(&top, dir.path(), &blobs, git_ref)?;
    let exists = |rel: &str| {
        blobs
            .iter()
            .any(|(_, p)| rel.is_empty() || p == rel || p.starts_with(&format!("{rel}/")))
    };
    let at = |rel: &str| dir.path().join(rel);
    let input_at = if exists(&input_rel) {
        Some(at(&input_rel))
    } else {
        notes.push(format!(
            "{} does not exist at {git_ref}: every object is new",
            input.display()
        ));
        None
    };
    let mut out_files = Vec::new();
    for (f, rel) in files.iter().zip(file_rels) {
        match rel {
            Some(rel) if exists(&rel) => out_files.push(at(&rel)),
            Some(_) => notes.push(format!(
                "{}: does not exist at {git_ref}, left out of the base render",
                f.display()
            )),
            None => out_files.push(f.clone()),
        }
    }
    Ok(Checkout {
        dir,
        input: input_at,
        files: out_files,
        notes,
    })
}

/// Reads `blobs` (id, path at the ref) into `dir`. Every path is checked before anything is
/// read: a tree written with `git mktree` can hold entries named `..`, which must not carry a
/// file out of the scratch directory.
fn write_blobs(top: &Path, dir: &Path, blobs: &[(String, String)], git_ref: &str) -> Result<()> {
    for (_, path) in blobs {
        output_path(dir, path).map_err(|e| {
            Error::one(
                Diagnostic::new(
                    Some(Location::Flag(format!("--base-ref {git_ref}"))),
                    format!("refusing a path in the tree at the ref: {e}"),
                )
                .with_help("the commit holds a path that cannot be checked out safely (git itself refuses to check it out); inspect it with `git ls-tree -r`"),
            )
        })?;
    }
    if blobs.is_empty() {
        return Ok(());
    }
    let fail = |e: std::io::Error| {
        Error::msg(
            format!("git cat-file: {e}"),
            "check that git is installed and the repository is readable",
        )
    };
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(fail)?;
    let mut stdin = child.stdin.take().expect("piped");
    let request: String = blobs.iter().map(|(sha, _)| format!("{sha}\n")).collect();
    // Written from another thread: git answers while it reads, and a full pipe either way
    // would block both processes.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(request.as_bytes());
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    for (_, path) in blobs {
        let mut header = String::new();
        stdout.read_line(&mut header).map_err(fail)?;
        let size: usize = header
            .split(' ')
            .nth(2)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| {
                Error::msg(
                    format!("git cat-file: unexpected answer `{}`", header.trim()),
                    "check the git installation (`git --version`) and the repository (`git fsck`)",
                )
            })?;
        let mut content = vec![0; size + 1];
        stdout.read_exact(&mut content).map_err(fail)?;
        content.pop();
        let target = output_path(dir, path).expect("checked above");
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        // A new file, never through anything already there.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .and_then(|mut f| f.write_all(&content))
            .map_err(fail)?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(())
}
