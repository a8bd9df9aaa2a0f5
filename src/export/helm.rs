//! `rollwright export-helm`: a rollwright chart as a plain Helm chart.
//!
//! The Helm chart carries the same values (the defaults layer laid under the chart's
//! `values.yaml`, written out literally), the same values schema, and Go templates that render
//! the same objects as the embedded minijinja templates (`export-templates/`, checked against
//! the real helm binary by `tests/export_helm.rs`). It needs nothing from rollwright to deploy.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::render::{output, templates};
use crate::values::{self, Loaded, ValuesInput, model};

/// The first line of an exported `Chart.yaml`: how a later export recognises a directory it
/// may overwrite without `--force`.
pub const MARKER: &str = "# Exported by rollwright export-helm";

/// The chart's templates, in Go template syntax, as `templates/<name>`.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "_helpers.tpl",
        include_str!("../../export-templates/_helpers.tpl"),
    ),
    (
        "rollout.yaml",
        include_str!("../../export-templates/rollout.yaml"),
    ),
    (
        "service.yaml",
        include_str!("../../export-templates/service.yaml"),
    ),
    (
        "analysistemplate.yaml",
        include_str!("../../export-templates/analysistemplate.yaml"),
    ),
];

/// What to export and where.
#[derive(Debug, Clone)]
pub struct Request {
    pub chart: PathBuf,
    pub output_dir: PathBuf,
    pub name: Option<String>,
    /// Write into a non-empty directory that is not a previous export.
    pub force: bool,
}

/// Exports the chart; returns the files written, relative to the output directory.
pub fn export(request: &Request) -> Result<Vec<String>> {
    let loaded = values::load(&ValuesInput {
        chart: request.chart.clone(),
        name: request.name.clone(),
        ..ValuesInput::default()
    })?;
    refuse_template_overrides(&loaded)?;
    let source = source_values(&request.chart);
    let files = files(&loaded, &source)?;
    refuse_source_dir(&loaded.chart_dir, &request.output_dir)?;
    check_output_dir(&request.output_dir, request.force)?;
    crate::fsutil::write_tree(&request.output_dir, &files)?;
    Ok(files.into_iter().map(|(name, _)| name).collect())
}

/// The values file CHART names: itself, or the `values.yaml` in it.
fn source_values(chart: &Path) -> PathBuf {
    if chart.is_file() {
        chart.to_path_buf()
    } else {
        chart.join("values.yaml")
    }
}

/// Every file of the chart, rendered in memory before the first one is written. `source` is
/// the values file the chart's values were read from (for its key order).
pub fn files(loaded: &Loaded, source: &Path) -> Result<Vec<(String, String)>> {
    let mut files = vec![
        ("Chart.yaml".to_owned(), chart_yaml(loaded)),
        ("values.yaml".to_owned(), values_yaml(loaded, source)?),
        (
            "values.schema.json".to_owned(),
            model::PUBLISHED_SCHEMA.to_owned(),
        ),
    ];
    for (name, source) in TEMPLATES {
        files.push((format!("templates/{name}"), (*source).to_owned()));
    }
    Ok(files)
}

/// A chart's own templates are minijinja; there is no faithful translation to Go templates.
fn refuse_template_overrides(loaded: &Loaded) -> Result<()> {
    let own: Vec<PathBuf> = templates::collect(&loaded.chart_dir)?
        .into_iter()
        .filter_map(|t| t.path)
        .collect();
    if own.is_empty() {
        return Ok(());
    }
    let diagnostics = own
        .iter()
        .map(|path| {
            Diagnostic::new(
                Some(Location::file(path, None)),
                "the chart has its own template, which cannot be translated to a Helm template",
            )
            .with_help(format!(
                "export a chart without `{}/`, then write the template into the Helm chart's templates/ by hand",
                templates::OVERRIDE_DIR
            ))
        })
        .collect();
    Err(Error {
        diagnostics,
        exit_code: 1,
    })
}

fn chart_yaml(loaded: &Loaded) -> String {
    // JSON strings are YAML double-quoted scalars: a name or tag stays a string, whatever
    // it looks like (`1.10`, `20240101`).
    let quote = |s: &str| Value::from(s).to_string();
    let tag = loaded.values.image.tag.as_deref().unwrap_or_default();
    format!(
        "{MARKER} from {chart}; export again rather than editing by hand.\n\
         apiVersion: v2\n\
         name: {name}\n\
         description: {description}\n\
         type: application\n\
         version: 0.1.0\n\
         appVersion: {tag}\n",
        // A comment ends at a line break: the path is written on one line, escaped.
        chart = crate::sanitize::terminal::line(&loaded.chart_dir.display().to_string()),
        name = quote(&loaded.name),
        description = quote(&format!(
            "{}: an Argo Rollouts blue-green release",
            loaded.name
        )),
        tag = quote(tag),
    )
}

/// The chart's values: the defaults layer under `values.yaml`, with the name written out, in
/// the order of the chart's `values.yaml` (defaults it does not mention come after).
fn values_yaml(loaded: &Loaded, source: &Path) -> Result<String> {
    let mut tree = loaded.tree.clone();
    if let Value::Object(map) = &mut tree {
        map.shift_remove("name");
        map.shift_insert(0, "name".to_owned(), Value::from(loaded.name.clone()));
    }
    if let Some(chart) = read_values(source) {
        tree = order_like(tree, &chart);
    }
    let mut text = String::from(
        "# The chart's values: rollwright's defaults laid under the source values.yaml.\n\
         # values.schema.json refuses unknown keys and values of the wrong type.\n",
    );
    text.push_str(&output::to_yaml(&tree)?);
    Ok(text)
}

/// The source values file as read, for its key order only (it was checked when loaded).
fn read_values(path: &Path) -> Option<Value> {
    let bytes = crate::fsutil::read_regular(path).ok()?;
    let text = crate::yaml::decode(&bytes).ok()?;
    crate::yaml::parse_single(text).ok()?.map(|d| d.value)
}

/// `value` with the keys of every mapping in the order `like` has them, `name` first at the
/// top; keys `like` lacks keep their order after those.
fn order_like(value: Value, like: &Value) -> Value {
    match (value, like) {
        (Value::Object(mut map), Value::Object(like)) => {
            let mut out = Map::new();
            if let Some(name) = map.shift_remove("name") {
                out.insert("name".to_owned(), name);
            }
            for (key, like_child) in like {
                if let Some(child) = map.shift_remove(key) {
                    out.insert(key.clone(), order_like(child, like_child));
                }
            }
            out.extend(map);
            Value::Object(out)
        }
        (value, _) => value,
    }
}

/// Exporting into the source chart would replace its `values.yaml`, even with `--force`.
fn refuse_source_dir(chart_dir: &Path, dir: &Path) -> Result<()> {
    let same = match (std::fs::canonicalize(chart_dir), std::fs::canonicalize(dir)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        return Ok(());
    }
    Err(Diagnostic::new(
        Some(Location::file(dir, None)),
        "the output directory is the chart being exported",
    )
    .with_help("write the Helm chart somewhere else, e.g. --output-dir helm-chart/<name>")
    .into())
}

/// DIR is created when missing; a non-empty DIR must be a previous export, unless `force`.
fn check_output_dir(dir: &Path, force: bool) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(Diagnostic::new(
            Some(Location::file(dir, None)),
            "the output directory is a file",
        )
        .with_help("name a new or empty directory with --output-dir")
        .into());
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| Diagnostic::io(dir, &e))?;
    if force || entries.next().is_none() || is_previous_export(dir) {
        return Ok(());
    }
    Err(Diagnostic::new(
        Some(Location::file(dir, None)),
        "the output directory is not empty and holds no previous export",
    )
    .with_help("name a new or empty directory, or pass --force to write into it anyway")
    .into())
}

fn is_previous_export(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Chart.yaml")).is_ok_and(|t| t.starts_with(MARKER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_like_follows_the_source_and_puts_name_first() {
        let value = json!({"image": {"repository": "nginx", "tag": "1"}, "name": "a", "replicaCount": 2, "x": 1});
        let like = json!({"replicaCount": 1, "image": {"tag": "1", "repository": "n"}});
        let ordered = order_like(value, &like);
        let keys: Vec<_> = ordered.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["name", "replicaCount", "image", "x"]);
        let image: Vec<_> = ordered["image"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(image, ["tag", "repository"]);
    }
}
