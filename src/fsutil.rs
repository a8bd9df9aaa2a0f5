//! Writing files so that a reader sees the old content or the new, never a partial file, and
//! so that a write changes the content and nothing else about the file.
//!
//! - One file ([`write_atomic`], for `set`, `set-image`): written to a temporary file beside
//!   the target, synced, renamed over it. The file keeps its permission bits, owner and group
//!   (when they cannot be kept, nothing is written and the error says why); a new file gets
//!   `0666` less the umask (`0644` under the usual `022`). A symbolic link is written through:
//!   the file it points to gets the new content and the link stays a link. A file with more
//!   than one hard link is refused: a rename would split it from its other names.
//! - A set of files in a directory ([`write_tree`], for `render --output-dir`, `export-helm`,
//!   `init`): their relative paths come from templates and values, so each goes through
//!   [`output_path`]. Everything is written into a staging directory first; a new directory is
//!   then renamed into place whole, and in an existing one each file is renamed over its
//!   target, the replaced files being put back if a rename fails. A symbolic link in the way
//!   (the target file, or a directory on the way to it) is refused, not followed: a planted
//!   link must not carry a write outside the directory.
//!
//! Reading ([`read_regular`], [`read_capped`]): every file rollwright reads is read under a
//! size cap, and a file that a repository names (a chart's `values.yaml` and overlays, `-f`
//! files, `.rollwright.yaml`, `chart-templates/`) only when it is a regular file: a FIFO
//! would block the read for ever and a link to `/dev/zero` would never end. The type is
//! checked with `stat` before the file is opened (opening a FIFO blocks) and again on the
//! open file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::sanitize::path::output_path;

#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// Files larger than this are not read unless `--max-file-size` says otherwise: the API
/// server takes at most 3 MiB per object, and a manifest file of 64 MiB is already a dump.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// Mode of a new file before the umask.
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o666;
/// Mode of a new directory before the umask.
#[cfg(unix)]
const NEW_DIR_MODE: u32 = 0o777;

fn refused(path: &Path, message: impl Into<String>, help: impl Into<String>) -> Error {
    Error::one(Diagnostic::new(Some(Location::file(path, None)), message).with_help(help))
}

/// Reads a regular file under [`DEFAULT_MAX_FILE_SIZE`]: for values files, configuration
/// and templates, which a repository may link to anything.
pub fn read_regular(path: &Path) -> std::result::Result<Vec<u8>, Diagnostic> {
    read_capped(path, DEFAULT_MAX_FILE_SIZE, true)
}

/// Reads a file, refusing one larger than `cap`. With `regular_only` a FIFO, socket or
/// device is refused before it is opened; without it (a path the user named, which may be a
/// pipe such as `<(helm template …)`), it is read up to the cap.
pub fn read_capped(
    path: &Path,
    cap: u64,
    regular_only: bool,
) -> std::result::Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    if regular_only {
        let meta = std::fs::metadata(path).map_err(|e| Diagnostic::io(path, &e))?;
        check_regular(path, &meta)?;
    }
    let mut file = open_nonblocking(path).map_err(|e| Diagnostic::io(path, &e))?;
    let meta = file.metadata().map_err(|e| Diagnostic::io(path, &e))?;
    if meta.is_dir() || regular_only {
        check_regular(path, &meta)?;
    }
    if !meta.is_file() {
        return read_stream(&mut file, path, cap);
    }
    if meta.is_file() && meta.len() > cap {
        return Err(too_large(path, cap));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows while it is read stops at the cap.
    Read::by_ref(&mut file)
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::io(path, &e))?;
    if bytes.len() as u64 > cap {
        return Err(too_large(path, cap));
    }
    Ok(bytes)
}

/// Opens for reading without blocking: opening a FIFO that no one writes to would otherwise
/// wait for ever (reading it then ends at once).
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// Reads a pipe or device named on purpose (`<(helm template …)`, `/dev/stdin`) up to the
/// cap. It was opened without blocking, so a read that finds nothing yet waits a moment and
/// tries again; a device that never ends stops at the cap.
fn read_stream(
    file: &mut std::fs::File,
    path: &Path,
    cap: u64,
) -> std::result::Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                bytes.extend_from_slice(&buf[..n]);
                if bytes.len() as u64 > cap {
                    return Err(too_large(path, cap));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Diagnostic::io(path, &e)),
        }
    }
    Ok(bytes)
}

/// Refuses what is not a regular file, naming what it is.
fn check_regular(path: &Path, meta: &std::fs::Metadata) -> std::result::Result<(), Diagnostic> {
    if meta.is_file() {
        return Ok(());
    }
    if meta.is_dir() {
        return Err(Diagnostic::new(
            Some(Location::file(path, None)),
            "is a directory, not a file",
        )
        .with_help("name a file inside it (a values file, a manifest), not the directory"));
    }
    let what = special_kind(meta);
    Err(Diagnostic::new(
        Some(Location::file(path, None)),
        format!("is {what}, not a regular file: not read"),
    )
    .with_help(
        "rollwright reads only regular files here (a FIFO would block and a device never end); \
         replace it (or the symbolic link to it) with a regular file",
    ))
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// The error for a file over the cap.
pub fn too_large(path: &Path, cap: u64) -> Diagnostic {
    Diagnostic::new(
        Some(Location::file(path, None)),
        format!("is larger than {}, not read", human_size(cap)),
    )
    .with_help("split it, leave it out with --exclude, or raise the cap with --max-file-size")
}

/// `64 MiB`, `512 KiB`, `100 bytes`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Writes `bytes` to the file at `path` (see the module documentation for what is kept).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = through_links(path)?;
    let existing = match std::fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Diagnostic::write(&target, &e).into()),
    };
    if let Some(m) = &existing {
        check_replaceable(&target, m)?;
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = staged_file(dir, &target, bytes, existing.as_ref())?;
    tmp.persist(&target)
        .map_err(|e| Diagnostic::write(&target, &e.error))?;
    Ok(())
}

/// The file a path finally names, following symbolic links; a link to nothing is an error.
fn through_links(path: &Path) -> Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| {
            refused(
                path,
                format!("is a symbolic link to a file that cannot be read ({e})"),
                "point the link at an existing file, or replace it with the file",
            )
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// An existing target that a rename may replace: a regular file with one name.
fn check_replaceable(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    if meta.is_dir() {
        return Err(refused(
            path,
            "is a directory",
            "name a file, or move the directory away",
        ));
    }
    if !meta.is_file() {
        return Err(refused(
            path,
            "is not a regular file",
            "name a regular file",
        ));
    }
    #[cfg(unix)]
    if meta.nlink() > 1 {
        return Err(refused(
            path,
            format!(
                "has {} hard links; replacing it would leave the other names with the old content",
                meta.nlink()
            ),
            "nothing was written; make it a file of its own first (`cp FILE FILE.new && mv FILE.new FILE`), or use a symbolic link",
        ));
    }
    Ok(())
}

/// A synced temporary file in `dir` holding `bytes`, with the mode, owner and group of
/// `existing` (the file it will replace), or a new file's mode.
fn staged_file(
    dir: &Path,
    target: &Path,
    bytes: &[u8],
    existing: Option<&std::fs::Metadata>,
) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rollwright-").suffix(".tmp");
    // Created with 0666: open(2) takes the umask off, as for any new file.
    #[cfg(unix)]
    builder.permissions(std::fs::Permissions::from_mode(NEW_FILE_MODE));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Diagnostic::write(dir, &e))?;
    tmp.write_all(bytes)
        .map_err(|e| Diagnostic::write(target, &e))?;
    #[cfg(unix)]
    if let Some(m) = existing {
        keep_owner_and_mode(tmp.as_file(), target, m)?;
    }
    #[cfg(not(unix))]
    let _ = existing;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Diagnostic::write(target, &e))?;
    Ok(tmp)
}

#[cfg(unix)]
fn keep_owner_and_mode(file: &std::fs::File, target: &Path, m: &std::fs::Metadata) -> Result<()> {
    let now = file.metadata().map_err(|e| Diagnostic::write(target, &e))?;
    if (now.uid(), now.gid()) != (m.uid(), m.gid()) {
        let uid = (now.uid() != m.uid()).then_some(m.uid());
        let gid = (now.gid() != m.gid()).then_some(m.gid());
        std::os::unix::fs::fchown(file, uid, gid).map_err(|e| {
            refused(
                target,
                format!(
                    "belongs to user {} and group {}; a rewrite could not keep them ({e})",
                    m.uid(),
                    m.gid()
                ),
                "nothing was written; run as the file's owner, or give yourself a copy",
            )
        })?;
    }
    file.set_permissions(std::fs::Permissions::from_mode(m.mode() & 0o7777))
        .map_err(|e| Diagnostic::write(target, &e))?;
    Ok(())
}

/// Writes `files` (relative path, content) under `dir`, all or none (see the module
/// documentation).
pub fn write_tree(dir: &Path, files: &[(String, String)]) -> Result<()> {
    let mut targets = Vec::with_capacity(files.len());
    for (rel, _) in files {
        let path = output_path(dir, rel).map_err(|e| {
            Error::one(
                Diagnostic::new(
                    Some(Location::file(dir, None)),
                    format!("refusing to write {e}"),
                )
                .with_help("file names come from kinds and names: use plain names (no `/`, `..` or control characters)"),
            )
        })?;
        if targets.contains(&path) {
            return Err(Error::one(
                Diagnostic::new(
                    Some(Location::file(&path, None)),
                    "two files would be written to the same path",
                )
                .with_help("give the objects different names or kinds"),
            ));
        }
        targets.push(path);
    }
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_new_dir(dir, files),
        Err(e) => Err(Diagnostic::write(dir, &e).into()),
        Ok(_) if !dir.is_dir() => Err(refused(
            dir,
            "is not a directory",
            "name a new or existing directory",
        )),
        Ok(_) => write_into(dir, files, &targets),
    }
}

/// A new directory appears whole or not at all: built beside it, then renamed.
fn write_new_dir(dir: &Path, files: &[(String, String)]) -> Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| Diagnostic::write(parent, &e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rollwright-");
    // A temporary directory is private (0700); the result is as readable as any new
    // directory (mkdir(2) takes the umask off).
    #[cfg(unix)]
    builder.permissions(std::fs::Permissions::from_mode(NEW_DIR_MODE));
    let staging = builder
        .tempdir_in(parent)
        .map_err(|e| Diagnostic::write(parent, &e))?;
    for (rel, text) in files {
        let path = output_path(staging.path(), rel).expect("checked by write_tree");
        create_parents(staging.path(), &path)?;
        let tmp = staged_file(
            path.parent().expect("under staging"),
            &path,
            text.as_bytes(),
            None,
        )?;
        tmp.persist(&path)
            .map_err(|e| Diagnostic::write(&path, &e.error))?;
    }
    std::fs::rename(staging.path(), dir).map_err(|e| Diagnostic::write(dir, &e))?;
    // Renamed away: nothing is left for the guard to remove.
    let _ = staging.keep();
    Ok(())
}

/// Creates the directories between `root` and `path`'s parent, refusing symbolic links.
fn create_parents(root: &Path, path: &Path) -> Result<Vec<PathBuf>> {
    let mut created = Vec::new();
    let parent = path.parent().unwrap_or(root);
    let rel = parent.strip_prefix(root).unwrap_or(Path::new(""));
    let mut at = root.to_path_buf();
    for c in rel.components() {
        at.push(c);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refused(
                    &at,
                    "is a symbolic link; files are not written through links in an output directory",
                    "remove the link (or write somewhere else): nothing was written",
                ));
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(refused(
                    &at,
                    "is a file where a directory is needed",
                    "move it away: nothing was written",
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&at).map_err(|e| Diagnostic::write(&at, &e))?;
                created.push(at.clone());
            }
            Err(e) => return Err(Diagnostic::write(&at, &e).into()),
        }
    }
    Ok(created)
}

/// Checks, before anything is written, that every target in an existing directory can be
/// replaced: no symbolic link on the way or at the end, no directory, no second hard link.
fn check_targets(dir: &Path, targets: &[PathBuf]) -> Result<Vec<Option<std::fs::Metadata>>> {
    let mut out = Vec::with_capacity(targets.len());
    for target in targets {
        let rel = target.strip_prefix(dir).expect("built under dir");
        let mut at = dir.to_path_buf();
        let mut meta = None;
        for (i, c) in rel.components().enumerate() {
            at.push(c);
            let last = i + 1 == rel.components().count();
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(refused(
                        &at,
                        "is a symbolic link; files are not written through links in an output directory",
                        "remove the link (or write somewhere else): nothing was written",
                    ));
                }
                Ok(m) if last => {
                    check_replaceable(&at, &m)?;
                    meta = Some(m);
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(refused(
                        &at,
                        "is a file where a directory is needed",
                        "move it away: nothing was written",
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(Diagnostic::write(&at, &e).into()),
            }
        }
        out.push(meta);
    }
    Ok(out)
}

/// Into an existing directory: stage every file, then rename each over its target; if a
/// rename fails, the files already replaced are put back and the new ones removed.
fn write_into(dir: &Path, files: &[(String, String)], targets: &[PathBuf]) -> Result<()> {
    let existing = check_targets(dir, targets)?;
    let staging = tempfile::Builder::new()
        .prefix(".rollwright-")
        .tempdir_in(dir)
        .map_err(|e| Diagnostic::write(dir, &e))?;
    let mut staged = Vec::with_capacity(files.len());
    for (i, ((_, text), target)) in files.iter().zip(targets).enumerate() {
        let tmp = staged_file(
            staging.path(),
            target,
            text.as_bytes(),
            existing[i].as_ref(),
        )?;
        let (_, path) = tmp
            .keep()
            .map_err(|e| Diagnostic::write(target, &e.error))?;
        staged.push(path);
    }
    let mut done: Vec<(usize, Option<PathBuf>)> = Vec::new();
    let mut created_dirs = Vec::new();
    let result = (|| -> Result<()> {
        for (i, target) in targets.iter().enumerate() {
            created_dirs.extend(create_parents(dir, target)?);
            let backup = match existing[i] {
                Some(_) => {
                    let b = staging.path().join(format!("backup-{i}"));
                    if std::fs::hard_link(target, &b).is_err() {
                        std::fs::copy(target, &b).map_err(|e| Diagnostic::write(&b, &e))?;
                    }
                    Some(b)
                }
                None => None,
            };
            std::fs::rename(&staged[i], target).map_err(|e| Diagnostic::write(target, &e))?;
            done.push((i, backup));
        }
        Ok(())
    })();
    if let Err(mut err) = result {
        for (i, backup) in done.into_iter().rev() {
            let _ = match backup {
                Some(b) => std::fs::rename(b, &targets[i]),
                None => std::fs::remove_file(&targets[i]),
            };
        }
        for d in created_dirs.into_iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        err.diagnostics.push(
            Diagnostic::new(
                Some(Location::file(dir, None)),
                "nothing was changed: the files already replaced were put back",
            )
            .with_help("fix the problem above and run the command again"),
        );
        return Err(err);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(names(dir.path()), ["a.yaml"]);
    }

    #[test]
    fn a_tree_into_an_existing_directory_replaces_and_adds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "old").unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        write_tree(
            dir.path(),
            &[
                ("a.yaml".into(), "new".into()),
                ("sub/b.yaml".into(), "b".into()),
            ],
        )
        .unwrap();
        assert_eq!(names(dir.path()), ["a.yaml", "keep.txt", "sub"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.yaml")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("sub/b.yaml")).unwrap(),
            "b"
        );
    }

    #[test]
    fn a_tree_refuses_paths_out_of_the_directory_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        for bad in ["../x.yaml", "/tmp/x.yaml", "a/../../x", "x\n.yaml"] {
            let err = write_tree(
                &root,
                &[("ok.yaml".into(), "1".into()), (bad.into(), "2".into())],
            )
            .unwrap_err();
            assert!(err.to_string().contains("refusing to write"), "{err}");
        }
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }
}
