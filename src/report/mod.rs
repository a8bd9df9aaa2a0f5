//! Findings and the formats they are written in.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

/// One problem found in the manifests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id, e.g. `BG-01`.
    pub rule: &'static str,
    /// Rule name, e.g. `distinct-active-preview-services`.
    pub name: &'static str,
    pub severity: Severity,
    /// What is wrong; for controller rules, the controller's own message text.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The file, as the user named it (relative paths stay relative).
    pub file: String,
    /// 1-based line and column of the offending node (for a missing key, its parent).
    pub line: u32,
    pub column: u32,
    /// Dotted path of the node in the object, e.g. `spec.strategy.blueGreen.activeService`.
    pub path: String,
    pub object: Option<ObjectRef>,
}

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
}

pub mod text;

/// The output formats of `rollwright validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

/// Writes a report in `format`.
pub fn write(report: &Report, format: Format) -> String {
    match format {
        Format::Text | Format::Json | Format::Sarif | Format::Github => text::write(report),
    }
}
