//! A finding, its severity and the rule metadata the writers show: the data `rules` produces
//! and `report` writes, kept below both so neither depends on the other.

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

/// What the report writers show about a rule (SARIF's rule descriptors): the registry's
/// metadata as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule checks.
    pub doc: &'static str,
}
