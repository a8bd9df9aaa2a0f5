//! Errors as users see them: where (`file:line:col` or the flag), what, and how to fix it.

use std::fmt;
use std::path::Path;

use crate::yaml::{Pos, YamlError};

/// Where a problem is: a place in a file, or a command-line flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File { path: String, pos: Option<Pos> },
    Flag(String),
}

impl Location {
    pub fn file(path: &Path, pos: Option<Pos>) -> Self {
        Location::File {
            path: path.display().to_string(),
            pos,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File {
                path,
                pos: Some(pos),
            } => write!(f, "{path}:{pos}"),
            Location::File { path, pos: None } => f.write_str(path),
            Location::Flag(flag) => f.write_str(flag),
        }
    }
}

/// One problem with the input.
///
/// Every diagnostic says how to fix the problem: build it with
/// `Diagnostic::new(…).with_help(…)` (or [`Diagnostic::yaml`], [`Diagnostic::io`],
/// [`Diagnostic::write`], which always carry one). `tests/source_rules.rs` reads every
/// construction site in `src/` and fails on one without a help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Option<Location>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A YAML error in `path`.
    pub fn yaml(path: &Path, err: YamlError) -> Self {
        Diagnostic {
            location: Some(Location::file(path, err.pos)),
            message: err.message,
            help: Some(err.help.unwrap_or_else(|| {
                "fix the YAML at this position: indentation, quotes, one `key: value` per line"
                    .into()
            })),
        }
    }

    /// A file that could not be read.
    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        let help = match err.kind() {
            std::io::ErrorKind::NotFound => Some("check the path"),
            std::io::ErrorKind::PermissionDenied => Some("check the file's permissions"),
            _ if path.is_dir() => Some("name a file, not a directory"),
            _ => None,
        };
        Diagnostic::new(
            Some(Location::file(path, None)),
            format!("cannot read: {err}"),
        )
        .with_help(help.unwrap_or("check that the path names a readable file"))
    }
}

impl Diagnostic {
    /// A file or directory that could not be written.
    pub fn write(path: &Path, err: &std::io::Error) -> Self {
        use std::io::ErrorKind;
        let help = match err.kind() {
            ErrorKind::PermissionDenied => {
                Some("check the permissions of the file and its directory")
            }
            ErrorKind::ReadOnlyFilesystem => Some("the file system is read-only"),
            ErrorKind::StorageFull => Some("the disk is full"),
            ErrorKind::NotFound => Some("check that the directory exists"),
            _ => None,
        };
        Diagnostic::new(
            Some(Location::file(path, None)),
            format!("cannot write: {err}"),
        )
        .with_help(help.unwrap_or("check the path, its permissions and the free space"))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("error: ")?;
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// A failed command: the problems found and the exit code to leave with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub diagnostics: Vec<Diagnostic>,
    pub exit_code: u8,
}

impl Error {
    pub fn one(d: Diagnostic) -> Self {
        Error {
            diagnostics: vec![d],
            exit_code: 1,
        }
    }

    pub fn many(diagnostics: Vec<Diagnostic>) -> Self {
        Error {
            diagnostics,
            exit_code: 1,
        }
    }

    /// A problem with no place to point at: what, and how to fix it.
    pub fn msg(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::one(Diagnostic::new(None, message).with_help(help))
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::one(d)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_position_and_help() {
        let d = Diagnostic::new(
            Some(Location::File {
                path: "values.yaml".into(),
                pos: Some(Pos { line: 4, column: 7 }),
            }),
            "unknown key",
        )
        .with_help("did you mean `x`?");
        assert_eq!(
            d.to_string(),
            "error: values.yaml:4:7: unknown key\n  help: did you mean `x`?"
        );
    }

    #[test]
    fn suggestions() {
        let keys = [
            "autoPromotionEnabled",
            "autoPromotionSeconds",
            "previewService",
        ];
        assert_eq!(
            did_you_mean("autoPromotionEnable", keys),
            Some("autoPromotionEnabled")
        );
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
