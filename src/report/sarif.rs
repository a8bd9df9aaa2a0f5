//! SARIF 2.1.0, the format code-scanning services read (GitHub code scanning, Azure DevOps,
//! IDE viewers). Written from hand-made structs: the fields in use are few, and their order
//! is the order of the output.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{FilePath, Finding, InputError, Report, RuleInfo, Severity};

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where relative artifact URIs start: code-scanning services map it to the checkout.
const SRCROOT: &str = "%SRCROOT%";

/// The key of the fingerprint; bump the version when what it hashes changes.
pub const FINGERPRINT: &str = "rollwright/v1";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: [Invocation; 1],
    /// Columns count characters, as the YAML parser counts them.
    column_kind: &'static str,
    results: Vec<SarifResult>,
    properties: RunProperties,
}

/// What the verdicts assume.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    /// The Argo Rollouts release the rules judged for (`--rollouts-version`).
    rollouts_version: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    help: Message,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

pub fn write(report: &Report) -> String {
    let cwd = std::env::current_dir().ok();
    let mut text =
        serde_json::to_string_pretty(&log(report, cwd.as_deref())).expect("a SARIF log serialises");
    text.push('\n');
    text
}

fn log(report: &Report, cwd: Option<&Path>) -> Log {
    let registry = &report.rules;
    let rules = registry
        .iter()
        .map(|r| Descriptor {
            id: r.id,
            name: r.name,
            short_description: Message {
                text: r.doc.to_owned(),
            },
            help: Message {
                text: format!(
                    "{}.\nTo silence it on one object, annotate the object with \
                     `rollwright.io/ignore: \"{}\"`.",
                    r.doc.trim_end_matches('.'),
                    r.id
                ),
            },
            default_configuration: Configuration {
                level: level(r.severity),
            },
        })
        .collect();
    let results = report
        .findings
        .iter()
        .map(|f| result(f, registry, cwd))
        .collect();
    let notifications = report
        .input_errors
        .iter()
        .map(|d| {
            let e = InputError::of(d);
            let locations = e
                .file
                .map(|file| {
                    let pos = e.pos.map(|p| (p.line, p.column));
                    location(file, pos, cwd)
                })
                .into_iter()
                .collect();
            Notification {
                level: "error",
                message: Message {
                    text: with_help(&e.message, e.help),
                },
                locations,
            }
        })
        .collect();
    let homepage = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "rollwright",
                    information_uri: homepage,
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: report.input_errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                rollouts_version: report.summary.rollouts_version.as_str(),
            },
        }],
    }
}

fn result(f: &Finding, registry: &[RuleInfo], cwd: Option<&Path>) -> SarifResult {
    let location = location(&f.file, Some((f.line, f.column)), cwd);
    let file = location
        .physical_location
        .artifact_location
        .uri
        .clone()
        .unwrap_or_default();
    let object = f.object.as_ref();
    let fingerprint = fnv1a(&[
        f.rule,
        &file,
        object.map_or("", |o| &o.api_version),
        object.map_or("", |o| &o.kind),
        object.and_then(|o| o.namespace.as_deref()).unwrap_or(""),
        object.map_or("", |o| &o.name),
        &f.path,
    ]);
    SarifResult {
        rule_id: f.rule,
        rule_index: registry.iter().position(|r| r.id == f.rule),
        level: level(f.severity),
        message: Message {
            text: with_help(&f.message, f.help.as_deref()),
        },
        locations: vec![location],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, format!("{fingerprint:016x}"))]),
    }
}

fn location(file: &str, pos: Option<(u32, u32)>, cwd: Option<&Path>) -> Location {
    let artifact_location = match FilePath::new(file, cwd) {
        FilePath::Relative(p) => ArtifactLocation {
            uri: Some(encode(&p)),
            uri_base_id: Some(SRCROOT),
            description: None,
        },
        FilePath::Absolute(p) => ArtifactLocation {
            uri: Some(format!(
                "file://{}{}",
                if p.starts_with('/') { "" } else { "/" },
                encode(&p)
            )),
            uri_base_id: None,
            description: None,
        },
        // Standard input has no URI; SARIF allows a location described in words instead.
        FilePath::Stdin => ArtifactLocation {
            uri: None,
            uri_base_id: None,
            description: Some(Message {
                text: "standard input".into(),
            }),
        },
    };
    Location {
        physical_location: PhysicalLocation {
            artifact_location,
            region: pos.map(|(line, column)| Region {
                start_line: line.max(1),
                start_column: column.max(1),
            }),
        },
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn with_help(message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{message}\nhelp: {help}"),
        None => message.to_owned(),
    }
}

/// Percent-encodes what may not stand in a URI path. `:` is encoded too, so that a relative
/// path such as `a:b.yaml` is not read as a URI scheme; a drive letter keeps its colon.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let drive = super::is_drive_path(path);
    for (i, b) in path.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            )
            || (b == b':' && drive && i == 1);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 64-bit FNV-1a over the parts, each followed by a NUL so that `("ab", "c")` and
/// `("a", "bc")` differ. Stable across versions and platforms, unlike `std`'s hasher.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_known_values() {
        // FNV-1a 64 of "" and of "a", followed here by the NUL separator.
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in [b'a', 0] {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        assert_eq!(fnv1a(&["a"]), h);
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }

    #[test]
    fn uris() {
        assert_eq!(encode("dir/my file.yaml"), "dir/my%20file.yaml");
        assert_eq!(encode("a:b/ü.yaml"), "a%3Ab/%C3%BC.yaml");
        assert_eq!(encode("C:/x/a.yaml"), "C:/x/a.yaml");
        let cwd = Some(Path::new("/repo"));
        let uri = |file: &str| {
            let l = location(file, None, cwd)
                .physical_location
                .artifact_location;
            (l.uri, l.uri_base_id)
        };
        assert_eq!(uri("./a.yaml"), (Some("a.yaml".into()), Some(SRCROOT)));
        assert_eq!(
            uri("/repo/k8s/a.yaml"),
            (Some("k8s/a.yaml".into()), Some(SRCROOT))
        );
        assert_eq!(
            uri("/etc/a b.yaml"),
            (Some("file:///etc/a%20b.yaml".into()), None)
        );
        assert_eq!(uri("<stdin>"), (None, None));
    }
}
