//! The chart templates: embedded in the binary, overridable by name from
//! `CHART/chart-templates/`.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Location, Result};

/// The embedded templates, in the order their objects are written.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "rollout.yaml",
        include_str!("../../chart-templates/rollout.yaml"),
    ),
    (
        "service.yaml",
        include_str!("../../chart-templates/service.yaml"),
    ),
    (
        "analysistemplate.yaml",
        include_str!("../../chart-templates/analysistemplate.yaml"),
    ),
];

/// The directory under a chart whose files replace or add to the embedded templates.
pub const OVERRIDE_DIR: &str = "chart-templates";

/// One template to render.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub source: String,
    /// Where it was read from; `None` for an embedded template.
    pub path: Option<PathBuf>,
    /// Helpers (`_name`) are only imported or included by other templates.
    pub helper: bool,
}

impl Template {
    /// How errors name it: its file, or `chart-templates/<name> (embedded)`.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => format!("{OVERRIDE_DIR}/{} (embedded)", self.name),
        }
    }
}

/// The embedded templates, each replaced by a same-named file in `CHART/chart-templates/`,
/// followed by the chart's other `.yaml`/`.yml` templates in name order. Files whose names
/// start with `_` are helpers.
pub fn collect(chart_dir: &Path) -> Result<Vec<Template>> {
    let mut templates: Vec<Template> = EMBEDDED
        .iter()
        .map(|(name, source)| Template {
            name: (*name).to_owned(),
            source: (*source).to_owned(),
            path: None,
            helper: false,
        })
        .collect();
    let dir = chart_dir.join(OVERRIDE_DIR);
    if !dir.is_dir() {
        return Ok(templates);
    }
    // The templates are the chart's own files: neither the directory nor a file in it may be
    // a symbolic link out of the chart (a pull request could otherwise have a template read,
    // and echoed in an error, from anywhere on the machine).
    inside_chart(chart_dir, &dir)?;
    let entries = std::fs::read_dir(&dir).map_err(|e| Diagnostic::io(&dir, &e))?;
    let mut extra: Vec<Template> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Diagnostic::io(&dir, &e))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        let helper = name.starts_with('_');
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        // Anything else named like a template is read, and refused unless a regular file:
        // a FIFO or device is an error, never skipped in silence.
        if path.is_dir() || !(helper || yaml) || name.starts_with('.') {
            continue;
        }
        inside_chart(chart_dir, &path)?;
        let bytes = crate::fsutil::read_regular(&path)?;
        let source = String::from_utf8(bytes).map_err(|_| {
            Diagnostic::new(
                Some(Location::file(&path, None)),
                "the template is not UTF-8 text",
            )
            .with_help("save the template as UTF-8")
        })?;
        let template = Template {
            name: name.clone(),
            source,
            path: Some(path),
            helper,
        };
        match templates.iter_mut().find(|t| t.name == name) {
            Some(embedded) => *embedded = template,
            None => extra.push(template),
        }
    }
    extra.sort_by(|a, b| a.name.cmp(&b.name));
    templates.extend(extra);
    Ok(templates)
}

/// Refuses `path` when, with symbolic links followed, it is not inside `chart_dir`.
fn inside_chart(chart_dir: &Path, path: &Path) -> Result<()> {
    crate::sanitize::path::real_inside(chart_dir, path)
        .map(|_| ())
        .map_err(|e| {
            Diagnostic::new(
                Some(Location::file(path, None)),
                format!("refusing to read a template outside the chart: {e}"),
            )
            .with_help("keep chart templates inside the chart directory (a symbolic link may point only inside it)")
            .into()
        })
}
