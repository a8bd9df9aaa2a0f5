//! Names that become paths.
//!
//! A kind or name from a template (`render --output-dir`), a tree entry at a git ref
//! (`diff --base-ref`), a file named in an Argo CD Application's env: each is someone else's
//! text. [`output_path`] is the only way such a name becomes a path to write; it takes plain
//! relative paths only. [`resolve_inside`] is the only way such a name becomes a path to read;
//! it follows symbolic links and keeps the result inside its root.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Why a name was refused as a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The name as given, escaped for a terminal.
    pub name: String,
    pub reason: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.name, self.reason)
    }
}

impl std::error::Error for Refused {}

fn refuse(name: &str, reason: impl Into<String>) -> Refused {
    Refused {
        name: super::terminal::line(name).into_owned(),
        reason: reason.into(),
    }
}

/// Checks that `rel` is a plain relative path: segments separated by `/`, none of them
/// empty, `.` or `..`, and no NUL, control character, bidirectional override or backslash
/// anywhere.
pub fn plain_relative(rel: &str) -> Result<PathBuf, Refused> {
    if rel.is_empty() {
        return Err(refuse(rel, "it is empty"));
    }
    if rel.starts_with('/') {
        return Err(refuse(rel, "it is an absolute path"));
    }
    if let Some(c) = rel
        .chars()
        .find(|&c| super::terminal::is_active(c) || c == '\\')
    {
        let shown = match c {
            '\0' => "a NUL byte".to_string(),
            '\\' => "a backslash".to_string(),
            c => {
                let mut s = String::new();
                super::terminal::escape_char(c, &mut s);
                format!("the control character {s}")
            }
        };
        return Err(refuse(rel, format!("it holds {shown}")));
    }
    for segment in rel.split('/') {
        match segment {
            "" => {
                return Err(refuse(
                    rel,
                    "it holds an empty segment (`//` or a trailing `/`)",
                ));
            }
            "." | ".." => return Err(refuse(rel, format!("it holds a `{segment}` segment"))),
            _ => {}
        }
    }
    let path = PathBuf::from(rel);
    // What the platform makes of it must agree: only plain names (no prefix such as `C:`).
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(refuse(rel, "it is not a plain relative path"));
    }
    Ok(path)
}

/// Checks that `name` is one plain file name: [`plain_relative`] without `/`.
pub fn file_name(name: &str) -> Result<&str, Refused> {
    if name.contains('/') {
        return Err(refuse(name, "it holds `/`"));
    }
    plain_relative(name)?;
    Ok(name)
}

/// The path of `rel` under `root`, where `rel` comes from someone else's text: every writer
/// builds its paths here, so nothing is written outside `root`.
pub fn output_path(root: &Path, rel: &str) -> Result<PathBuf, Refused> {
    Ok(root.join(plain_relative(rel)?))
}

/// The real path of the file `rel` names inside `root`, when it is a regular file there:
/// `rel` is relative to `root`, and with every symbolic link followed it must stay inside
/// `root` (also followed). `..` is allowed while the result stays inside.
pub fn resolve_inside(root: &Path, rel: &str) -> Result<PathBuf, Refused> {
    if rel.is_empty() {
        return Err(refuse(rel, "it is empty"));
    }
    if Path::new(rel).is_absolute() {
        return Err(refuse(rel, "it is an absolute path"));
    }
    if rel.contains('\0') {
        return Err(refuse(rel, "it holds a NUL byte"));
    }
    let real = real_inside(root, &root.join(rel)).map_err(|mut e| {
        e.name = super::terminal::line(rel).into_owned();
        e
    })?;
    if !real.is_file() {
        return Err(refuse(rel, "it is not a regular file"));
    }
    Ok(real)
}

/// The real path of `path` (every symbolic link followed), when it is inside the real path
/// of `root`.
pub fn real_inside(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let shown = path.display().to_string();
    let real_root = std::fs::canonicalize(root).map_err(|e| {
        refuse(
            &root.display().to_string(),
            format!("it cannot be read: {e}"),
        )
    })?;
    let real = std::fs::canonicalize(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => refuse(&shown, "it does not exist"),
        _ => refuse(&shown, format!("it cannot be read: {e}")),
    })?;
    if !real.starts_with(&real_root) {
        return Err(refuse(
            &shown,
            "it resolves outside the directory (through `..` or a symbolic link)",
        ));
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_pass() {
        for ok in [
            "a.yaml",
            "templates/rollout.yaml",
            ".github/workflows/x.yml",
            "a..b",
            "é",
        ] {
            assert_eq!(plain_relative(ok).unwrap(), PathBuf::from(ok), "{ok}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "..",
            "../x",
            "a/../../x",
            "a/./b",
            ".",
            "a//b",
            "a/",
            "a\\..\\b",
            "a\0b",
            "a\nb",
            "a\rb",
            "\x1b[31m",
            "a\u{202e}b",
            "a\u{85}",
        ] {
            assert!(plain_relative(bad).is_err(), "{bad:?} passed");
        }
        assert!(file_name("a/b").is_err());
        assert_eq!(file_name("rollout-x.yaml").unwrap(), "rollout-x.yaml");
    }

    #[test]
    fn refusals_show_the_name_escaped() {
        let e = plain_relative("a\n../b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`a\\n../b`: it holds the control character \\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn resolve_inside_follows_links_and_stays_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("chart");
        std::fs::create_dir_all(root.join("env")).unwrap();
        std::fs::write(root.join("env/prod.yaml"), "a: 1").unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink("../secret", root.join("link.yaml")).unwrap();
        std::os::unix::fs::symlink("env/prod.yaml", root.join("inner.yaml")).unwrap();
        assert!(resolve_inside(&root, "env/prod.yaml").is_ok());
        assert!(resolve_inside(&root, "env/../env/prod.yaml").is_ok());
        assert!(resolve_inside(&root, "inner.yaml").is_ok());
        for bad in [
            "../secret",
            "link.yaml",
            "/etc/passwd",
            "env",
            "missing.yaml",
        ] {
            assert!(resolve_inside(&root, bad).is_err(), "{bad}");
        }
    }
}
