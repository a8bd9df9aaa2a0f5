//! The file system as a walk meets it: what a directory holds, and reading one file without
//! being led astray. A walk reads regular files only (never a FIFO, socket or device, which
//! could block or never end), each under a size cap, and follows a symbolic link only to a
//! regular file inside the tree it walks, unless `--follow-symlinks` allows more.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Location};

/// Files larger than this are not read unless `--max-file-size` says otherwise: the API
/// server takes at most 3 MiB per object, and a manifest file of 64 MiB is already a dump.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// How far a walk may go.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_size: u64,
    /// Follow symbolic links to files and directories outside the tree (and to directories
    /// inside it).
    pub follow_symlinks: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            follow_symlinks: false,
        }
    }
}

/// What one directory entry is, as far as a walk is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (or a link to one that may be followed).
    File,
    /// A directory (or, with `--follow-symlinks`, a link to one).
    Dir,
    /// Left alone, with the reason given in a note (`None`: silently, e.g. a link to a
    /// directory inside the tree, which the walk reaches anyway).
    Skipped(Option<String>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub path: PathBuf,
    pub kind: Kind,
}

/// The entries of `dir`, sorted by name. `boundary` is the canonical root of the tree: a link
/// may lead to a file inside it.
pub fn list(dir: &Path, boundary: &Path, limits: &Limits) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let file_type = entry.file_type()?;
        let kind = if file_type.is_dir() {
            Kind::Dir
        } else if file_type.is_file() {
            Kind::File
        } else if file_type.is_symlink() {
            link_kind(&path, boundary, limits)
        } else {
            Kind::Skipped(Some(format!(
                "{}: not a regular file (a FIFO, socket or device), not read",
                path.display()
            )))
        };
        out.push(Entry { name, path, kind });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Where a symbolic link may take the walk.
fn link_kind(path: &Path, boundary: &Path, limits: &Limits) -> Kind {
    let Ok(target) = std::fs::canonicalize(path) else {
        return Kind::Skipped(Some(format!(
            "{}: a symbolic link to nothing, not read",
            path.display()
        )));
    };
    let Ok(meta) = std::fs::metadata(&target) else {
        return Kind::Skipped(None);
    };
    let inside = target.starts_with(boundary);
    if meta.is_dir() {
        return if limits.follow_symlinks {
            Kind::Dir
        } else if inside {
            Kind::Skipped(None)
        } else {
            Kind::Skipped(Some(format!(
                "{}: a symbolic link to a directory outside the tree, not followed (--follow-symlinks follows it)",
                path.display()
            )))
        };
    }
    if !meta.is_file() {
        return Kind::Skipped(Some(format!(
            "{}: a symbolic link to something that is not a regular file (a FIFO, socket or device), not read",
            path.display()
        )));
    }
    if inside || limits.follow_symlinks {
        Kind::File
    } else {
        Kind::Skipped(Some(format!(
            "{}: a symbolic link to a file outside the tree, not read (--follow-symlinks reads it)",
            path.display()
        )))
    }
}

/// Reads a file, refusing one larger than the cap. For a file a walk found, pass
/// `regular_only`: what is opened must still be a regular file.
pub fn read(path: &Path, limits: &Limits, regular_only: bool) -> Result<Vec<u8>, Diagnostic> {
    let mut file = std::fs::File::open(path).map_err(|e| Diagnostic::io(path, &e))?;
    let meta = file.metadata().map_err(|e| Diagnostic::io(path, &e))?;
    if meta.is_dir() {
        return Err(Diagnostic::new(
            Some(Location::file(path, None)),
            "is a directory, not a file",
        )
        .with_help("name a file"));
    }
    if regular_only && !meta.is_file() {
        return Err(Diagnostic::new(
            Some(Location::file(path, None)),
            "is not a regular file, not read",
        )
        .with_help("name a regular file (not a device, socket or pipe)"));
    }
    let cap = limits.max_file_size;
    if meta.is_file() && meta.len() > cap {
        return Err(too_large(path, cap));
    }
    let mut bytes = Vec::with_capacity(if meta.is_file() {
        meta.len() as usize
    } else {
        8192
    });
    // A file that grows while it is read, or a device that never ends, stops at the cap.
    file.by_ref()
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::io(path, &e))?;
    if bytes.len() as u64 > cap {
        return Err(too_large(path, cap));
    }
    Ok(bytes)
}

/// Reads standard input under the same cap.
pub fn read_stdin(limits: &Limits) -> Result<Vec<u8>, Diagnostic> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limits.max_file_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::io(Path::new("-"), &e))?;
    if bytes.len() as u64 > limits.max_file_size {
        return Err(too_large(Path::new("<stdin>"), limits.max_file_size));
    }
    Ok(bytes)
}

fn too_large(path: &Path, cap: u64) -> Diagnostic {
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

/// Parses `--max-file-size`: bytes, or a number with `K`, `M` or `G` (powers of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, factor) = match t
        .trim_end_matches(['i', 'B', 'b'])
        .char_indices()
        .last()
        .map(|(i, c)| (i, c.to_ascii_uppercase()))
    {
        Some((i, 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'M')) => (&t[..i], 1 << 20),
        Some((i, 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size (write e.g. 64M, 512K or 1048576)"))?;
    n.checked_mul(factor)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{text}` is not a usable size"))
}

/// `path` with `.` and `..` resolved by name (no file system access): `a/b/../c` is `a/c`.
pub fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir if !out.is_empty() => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    // `./a/..` leaves `.` alone in front of nothing.
    out.iter().collect()
}

/// The absolute form of `path` by name, for comparing paths (no link is resolved).
pub fn absolute(path: &Path) -> PathBuf {
    clean(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// [`absolute`] against a working directory already known.
pub fn absolute_in(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        clean(path)
    } else {
        clean(&cwd.join(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert_eq!(human_size(64 << 20), "64 MiB");
    }

    #[test]
    fn clean_resolves_dots_by_name() {
        assert_eq!(clean(Path::new("a/b/../c")), PathBuf::from("a/c"));
        assert_eq!(
            clean(Path::new("./overlays/prod/../../base/r.yaml")),
            PathBuf::from("./base/r.yaml")
        );
        assert_eq!(clean(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(clean(Path::new("/../x")), PathBuf::from("/x"));
        assert_eq!(clean(Path::new("a/..")), PathBuf::from("."));
    }
}
