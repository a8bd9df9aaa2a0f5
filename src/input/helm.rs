//! Helm chart directories (`Chart.yaml`): rendered with `helm template` when helm is on PATH
//! (the chart's values, plus value files named in the configuration), else skipped with a
//! note.
//!
//! helm runs on repository content: it runs without DNS lookups (no `--enable-dns`), without
//! the chart's JSON schema (`--skip-schema-validation`: a schema's `$ref` could name other
//! files or URLs), with no post-renderer, and only on a chart with no symbolic link out of
//! its directory (helm follows links when it loads a chart, and `.Files.Get` would then read
//! any file). Value files named in the configuration must lie inside the repository.

use std::path::{Path, PathBuf};

use super::peer;
use super::walk;
use crate::error::{Diagnostic, Location};
use crate::yaml::{self, NodePos, Pos, Positions};

/// Whether `dir` is a Helm chart.
pub fn is_chart(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join("Chart.yaml")).is_ok_and(|m| m.is_file())
}

/// Whether `dir` is a Helm chart with templates: what `rollwright render` refuses.
pub fn has_templates(dir: &Path) -> bool {
    is_chart(dir) && dir.join("templates").is_dir()
}

/// The settings for one chart from the configuration.
#[derive(Debug, Clone, Default)]
pub struct ChartSettings {
    /// Value files, resolved and checked to lie inside the repository.
    pub value_files: Vec<PathBuf>,
    pub release_name: Option<String>,
    pub namespace: Option<String>,
}

/// The template files a chart holds (what a skipped chart leaves unchecked).
pub fn template_count(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir.join("templates"))
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file()
                && super::classify::is_yaml_name(&e.file_name().to_string_lossy())
        })
        .count()
}

/// A symbolic link under `dir` that leads out of it, if any.
pub fn link_out(dir: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(dir).ok()?;
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path_is_symlink())
        .find(|e| std::fs::canonicalize(e.path()).map_or(true, |t| !t.starts_with(&root)))
        .map(|e| e.into_path())
}

/// A release name from the directory's name: lower-case letters, digits and `-`, at most 53
/// characters, as helm requires.
pub fn release_name(dir: &Path) -> String {
    let base = walk::absolute(dir)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut name: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    name = name.trim_matches('-').chars().take(53).collect();
    name = name.trim_end_matches('-').to_owned();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        format!("release-{name}")
            .trim_end_matches('-')
            .chars()
            .take(53)
            .collect()
    } else {
        name
    }
}

/// One rendered document and the template file it came from.
pub struct Rendered {
    pub docs: Vec<(yaml::Document, Option<PathBuf>)>,
    pub text: String,
}

/// Runs `helm template` on `dir`.
pub fn template(
    tool: &peer::Tool,
    dir: &Path,
    settings: &ChartSettings,
    namespace: Option<&str>,
) -> Result<Rendered, String> {
    let abs = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    let release = settings
        .release_name
        .clone()
        .unwrap_or_else(|| release_name(dir));
    let mut args: Vec<std::ffi::OsString> = vec![
        release.into(),
        abs.clone().into(),
        "--include-crds".into(),
        "--skip-schema-validation".into(),
    ];
    if let Some(ns) = settings.namespace.as_deref().or(namespace) {
        args.push("--namespace".into());
        args.push(ns.into());
    }
    for f in &settings.value_files {
        args.push("--values".into());
        args.push(f.clone().into());
    }
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let out = peer::run(tool, &refs).map_err(|f| f.describe(tool))?;
    let text = String::from_utf8(out)
        .map_err(|_| format!("`{}` printed text that is not UTF-8", tool.label))?;
    let docs = yaml::parse_documents(&text).map_err(|e| {
        format!(
            "`{}` printed YAML that does not parse: {}",
            tool.label, e.message
        )
    })?;
    let sources = source_lines(&text);
    let docs = docs
        .into_iter()
        .map(|d| {
            let line = d.positions.get("").map_or(0, |p| p.value.line);
            let source = sources
                .iter()
                .rev()
                .find(|(l, _)| *l < line)
                .and_then(|(_, s)| template_file(dir, s));
            (d, source)
        })
        .collect();
    Ok(Rendered { docs, text })
}

/// `# Source: chart/templates/x.yaml` comments, by line.
fn source_lines(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.strip_prefix("# Source: ")
                .map(|s| (i as u32 + 1, s.trim().to_owned()))
        })
        .collect()
}

/// The file a `# Source:` comment names: its first segment is the chart's name.
fn template_file(dir: &Path, source: &str) -> Option<PathBuf> {
    let (_, rest) = source.split_once('/')?;
    if rest.split('/').any(|s| s == ".." || s.is_empty()) {
        return None;
    }
    let path = dir.join(rest);
    path.is_file().then_some(path)
}

/// Positions in a template for a rendered object: each field at the first line of the
/// template that writes its key (templates do not map line for line onto their output), the
/// object itself at the first line.
pub fn template_positions(rendered: &Positions, template: &str) -> Positions {
    let mut keys: std::collections::HashMap<&str, Pos> = std::collections::HashMap::new();
    for (i, line) in template.lines().enumerate() {
        let t = line.trim_start();
        let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
        if let Some((key, _)) = t.split_once(':') {
            let key = key.trim().trim_matches(['"', '\'']);
            if !key.is_empty() && !key.contains(' ') && !key.contains('{') {
                let column = (line.len() - line.trim_start().len()) as u32 + 1;
                keys.entry(key).or_insert(Pos {
                    line: i as u32 + 1,
                    column,
                });
            }
        }
    }
    let start = NodePos {
        value: Pos { line: 1, column: 1 },
        key: None,
        bytes: None,
    };
    let mut map = std::collections::HashMap::new();
    map.insert(String::new(), start);
    for (pointer, _) in rendered.iter() {
        let key = pointer
            .rsplit('/')
            .find(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
            .map(|s| s.replace("~1", "/").replace("~0", "~"));
        if let Some(pos) = key.as_deref().and_then(|k| keys.get(k)) {
            map.insert(
                pointer.clone(),
                NodePos {
                    value: *pos,
                    key: None,
                    bytes: None,
                },
            );
        }
    }
    Positions::from_map(map)
}

/// Resolves the configuration's value files for a chart: relative to the chart, inside
/// `boundary` (the repository) with every link followed, regular files.
pub fn resolve_value_files(
    dir: &Path,
    files: &[String],
    boundary: &Path,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for f in files {
        let bad = |why: &str| {
            Diagnostic::new(
                Some(Location::file(dir, None)),
                format!("value file `{}` {why}", crate::sanitize::terminal::line(f)),
            )
            .with_help("name a file inside the repository, relative to the chart directory")
        };
        if f.contains("://") || Path::new(f).is_absolute() || f.contains('\0') || f.is_empty() {
            return Err(bad("is not a relative path"));
        }
        let real = crate::sanitize::path::real_inside(boundary, &dir.join(f))
            .map_err(|e| bad(&e.reason))?;
        if !real.is_file() {
            return Err(bad("is not a regular file"));
        }
        out.push(real);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_follow_helms_rules() {
        assert_eq!(release_name(Path::new("charts/Shop_API")), "shop-api");
        assert_eq!(release_name(Path::new("9lives")), "release-9lives");
        assert!(release_name(Path::new(&"a".repeat(80))).len() <= 53);
    }

    #[test]
    fn template_positions_find_the_key_in_the_template() {
        let doc = yaml::parse_documents("spec:\n  previewService: a\n")
            .unwrap()
            .remove(0);
        let p = template_positions(
            &doc.positions,
            "spec:\n  {{- if .Values.x }}\n  previewService: {{ .Values.p }}\n",
        );
        assert_eq!(
            p.get("/spec/previewService").unwrap().value,
            Pos { line: 3, column: 3 }
        );
    }
}
