//! Findings and the formats they are written in.

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::finding::{Finding, ObjectRef, RuleInfo, Severity};

/// Counts for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    /// YAML documents that are not Kubernetes objects (values files, Chart.yaml…).
    pub skipped_documents: usize,
    /// Helm template sources, skipped unrendered.
    pub skipped_templates: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// The Argo Rollouts release the verdicts are for.
    pub rollouts_version: crate::rollouts_version::RolloutsVersion,
}

/// Everything one validation run produced.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Input problems (unreadable files, YAML syntax errors), reported apart from findings.
    pub input_errors: Vec<crate::error::Diagnostic>,
    /// Notes such as skipped Helm templates.
    pub notes: Vec<String>,
    /// The text of each file, for showing source lines.
    pub sources: BTreeMap<String, String>,
    /// The rules the run checked (SARIF lists them with their metadata).
    pub rules: Vec<RuleInfo>,
}

pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

/// The output formats of `rollwright validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

/// How to write a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// ANSI colour in text output (the other formats never use it).
    pub color: bool,
}

/// Writes a report in `format`.
pub fn write(report: &Report, format: Format, options: &WriteOptions) -> String {
    match format {
        Format::Text => text::write(report, options),
        Format::Json => json::write(report),
        Format::Sarif => sarif::write(report),
        Format::Github => github::write(report),
    }
}

/// An input error taken apart for the machine-readable formats. A flag or template name
/// (rather than a file) leads the message, as in the text output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputError<'a> {
    pub file: Option<&'a str>,
    pub pos: Option<crate::yaml::Pos>,
    pub message: String,
    pub help: Option<&'a str>,
}

impl<'a> InputError<'a> {
    pub fn of(d: &'a crate::error::Diagnostic) -> Self {
        use crate::error::Location;
        let (file, pos, message) = match &d.location {
            Some(Location::File { path, pos }) => (Some(path.as_str()), *pos, d.message.clone()),
            Some(Location::Flag(flag)) => (None, None, format!("{flag}: {}", d.message)),
            None => (None, None, d.message.clone()),
        };
        InputError {
            file,
            pos,
            message,
            help: d.help.as_deref(),
        }
    }
}

/// The name of standard input in reports.
pub const STDIN: &str = "<stdin>";

/// Where a reported file is, for formats read by other tools (SARIF, GitHub).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FilePath {
    /// Relative to the working directory, `/`-separated, no `.` segments.
    Relative(String),
    /// Outside the working directory, `/`-separated.
    Absolute(String),
    Stdin,
}

impl FilePath {
    /// `file` as named on the command line, seen from `cwd`. Paths are normalised lexically
    /// (no file system access), so reports do not depend on symlinks or existing files.
    pub fn new(file: &str, cwd: Option<&std::path::Path>) -> FilePath {
        if file == STDIN {
            return FilePath::Stdin;
        }
        let file = file.replace('\\', "/");
        let absolute = file.starts_with('/') || is_drive_path(&file);
        let cwd = cwd.map(|c| c.to_string_lossy().replace('\\', "/"));
        let full = match (&cwd, absolute) {
            (_, true) => normalise(&file),
            (Some(cwd), false) => normalise(&format!("{cwd}/{file}")),
            // No working directory to resolve against: keep it relative.
            (None, false) => return FilePath::Relative(normalise(&file)),
        };
        if let Some(cwd) = cwd.map(|c| normalise(&c))
            && let Some(rest) = full.strip_prefix(&cwd)
            && let Some(rest) = rest
                .strip_prefix('/')
                .or((cwd.ends_with('/')).then_some(rest))
            && !rest.is_empty()
        {
            return FilePath::Relative(rest.to_owned());
        }
        FilePath::Absolute(full)
    }
}

pub(crate) fn is_drive_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

/// Drops `.` and empty segments and resolves `..` against the segment before it.
fn normalise(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if segments.last().is_some_and(|s| *s != "..") => {
                segments.pop();
            }
            ".." if absolute => {}
            _ => segments.push(seg),
        }
    }
    let joined = segments.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn file_paths() {
        let cwd = Some(Path::new("/repo"));
        let rel = |s: &str| FilePath::Relative(s.to_owned());
        assert_eq!(FilePath::new("a/b.yaml", cwd), rel("a/b.yaml"));
        assert_eq!(FilePath::new("./a/./b.yaml", cwd), rel("a/b.yaml"));
        assert_eq!(FilePath::new("a\\b.yaml", cwd), rel("a/b.yaml"));
        assert_eq!(FilePath::new("/repo/a/b.yaml", cwd), rel("a/b.yaml"));
        assert_eq!(FilePath::new("x/../a.yaml", cwd), rel("a.yaml"));
        assert_eq!(
            FilePath::new("/repository/a.yaml", cwd),
            FilePath::Absolute("/repository/a.yaml".into())
        );
        assert_eq!(
            FilePath::new("../other/a.yaml", cwd),
            FilePath::Absolute("/other/a.yaml".into())
        );
        assert_eq!(FilePath::new("<stdin>", cwd), FilePath::Stdin);
        assert_eq!(FilePath::new("./a.yaml", None), rel("a.yaml"));
        assert_eq!(
            FilePath::new("/a.yaml", Some(Path::new("/"))),
            rel("a.yaml")
        );
    }
}
