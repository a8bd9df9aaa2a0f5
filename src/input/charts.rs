//! rollwright charts wherever they are: a directory whose `values.yaml` is a rollwright values
//! file is rendered and validated, findings pointing into the values; an overlay values file
//! beside it (`values-prod.yaml`, `prod.values.yaml`, or any file whose content is rollwright
//! values) is rendered as `-f` over it, as one more application.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::values::ValuesInput;
use crate::yaml;

/// `-f`, `--set`, `--set-string` and `--set-json` given to `validate` for one chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartFlags {
    pub files: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_json: Vec<String>,
}

impl ChartFlags {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.set.is_empty()
            && self.set_string.is_empty()
            && self.set_json.is_empty()
    }

    /// The values input for `chart` with `overlay` under these flags.
    pub fn input(&self, chart: &Path, overlay: Option<&Path>) -> ValuesInput {
        let mut files: Vec<PathBuf> = overlay.map(Path::to_path_buf).into_iter().collect();
        files.extend(self.files.iter().cloned());
        ValuesInput {
            chart: chart.to_path_buf(),
            files,
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_json: self.set_json.clone(),
            name: None,
        }
    }
}

/// The top-level keys of a rollwright values file.
fn known_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        crate::values::model::json_schema()
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// Keys only a rollwright values file has (a Helm chart's values rarely do).
const OWN_KEYS: &[&str] = &["rollout", "analysisTemplates"];

/// Whether `text` is a rollwright values file: it carries the `$schema` modeline `rollwright
/// init` writes, or it has `rollout:` or `analysisTemplates:` and at most two top-level keys
/// rollwright does not know (so a typo is still caught, and a Helm chart's values with
/// `ingress:`, `autoscaling:`… are not mistaken for one).
pub fn is_values_text(text: &str) -> bool {
    let modeline = text.lines().take_while(|l| l.starts_with('#')).any(|l| {
        l.contains("yaml-language-server")
            && l.contains("$schema=")
            && l.contains("values.schema.json")
    });
    let Ok(Some(doc)) = yaml::parse_single(text) else {
        return false;
    };
    is_values(&doc.value, modeline)
}

/// [`is_values_text`] on a parsed document.
pub fn is_values(value: &Value, modeline: bool) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    if map.contains_key("apiVersion") && map.contains_key("kind") {
        return false;
    }
    if modeline {
        return true;
    }
    if !OWN_KEYS.iter().any(|k| map.contains_key(*k)) {
        return false;
    }
    let known = known_keys();
    let unknown = map.keys().filter(|k| !known.contains(k)).count();
    unknown <= 2 && unknown < map.len() - unknown
}

/// Whether a file name is that of an overlay values file: `values-*.yaml`, `values.*.yaml`
/// or `*.values.yaml` (`.yml` too).
pub fn is_overlay_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    (stem.starts_with("values-") && stem.len() > 7)
        || (stem.starts_with("values.") && stem.len() > 7)
        || (stem.ends_with(".values") && stem.len() > 7)
}

/// Whether `dir` holds a rollwright chart by content: its `values.yaml` is a rollwright
/// values file and there is no Helm `Chart.yaml` beside it.
pub fn is_chart_by_content(dir: &Path, limits: &super::walk::Limits) -> bool {
    let values = dir.join("values.yaml");
    if super::helm::is_chart(dir) || !std::fs::symlink_metadata(&values).is_ok_and(|m| m.is_file())
    {
        return false;
    }
    super::walk::read(&values, limits, true)
        .ok()
        .and_then(|b| yaml::decode_owned(b).ok())
        .is_some_and(|t| is_values_text(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_names() {
        for n in ["values-prod.yaml", "values.prod.yml", "prod.values.yaml"] {
            assert!(is_overlay_name(n), "{n}");
        }
        for n in [
            "values.yaml",
            "values-.yaml",
            "prod.yaml",
            "values-prod.json",
        ] {
            assert!(!is_overlay_name(n), "{n}");
        }
    }

    #[test]
    fn values_are_told_from_helm_values_and_manifests() {
        assert!(is_values_text(
            "# yaml-language-server: $schema=https://x/values.schema.json\nimage: {tag: \"1\"}\n"
        ));
        assert!(is_values_text(
            "image: {tag: \"1\"}\nreplicaCont: 3\nrollout: {}\n"
        ));
        // A Helm chart's values with a rollout section.
        assert!(!is_values_text(
            "image: {}\nrollout: {enabled: true}\ningress: {}\nautoscaling: {}\nnameOverride: \"\"\n"
        ));
        assert!(!is_values_text("image: {tag: \"1\"}\nreplicaCount: 2\n"));
        assert!(!is_values_text(
            "apiVersion: v1\nkind: ConfigMap\nrollout: {}\n"
        ));
    }
}
