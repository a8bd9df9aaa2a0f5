//! `.rollwright.yaml`: which rules run, at what severity, and where.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Diagnostic, Error, Location, Result, did_you_mean};
use crate::finding::Severity;
use crate::rules;

/// The file name looked for in the working directory and its parents.
pub const FILE_NAME: &str = ".rollwright.yaml";

/// The configuration as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigFile {
    /// Rule id or name → `off`, `error`, `warning` or `info` (`off`/`on` may be written as
    /// YAML booleans).
    #[serde(default)]
    pub rules: BTreeMap<String, Value>,
    /// Globs of paths never read.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rules silenced for paths matching a glob.
    #[serde(default)]
    pub ignore: Vec<PathIgnore>,
    /// Settings of `rollwright diff`.
    #[serde(default)]
    pub diff: Option<Value>,
    /// The Argo Rollouts release to give verdicts for (`1.9`).
    #[serde(default)]
    pub rollouts_version: Option<Value>,
    /// How plain manifests group into applications: `directory`, `tree` or `run`.
    #[serde(default)]
    pub app_scope: Option<crate::input::AppScope>,
    /// The namespace of objects that name none.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Helm chart directory (relative to this file) → how `validate` renders it.
    #[serde(default)]
    pub helm: BTreeMap<String, HelmChart>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmChart {
    /// Value files, relative to the chart directory, inside the repository.
    #[serde(default)]
    pub value_files: Vec<String>,
    #[serde(default)]
    pub release_name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PathIgnore {
    pub path: String,
    pub rules: Vec<String>,
}

/// The configuration, checked and ready to apply.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: Option<PathBuf>,
    /// Rule id → severity; `None` turns the rule off.
    pub overrides: BTreeMap<&'static str, Option<Severity>>,
    pub exclude: Vec<String>,
    ignore: Vec<(GlobSet, Vec<&'static str>)>,
    pub diff: Option<Value>,
    /// `rolloutsVersion`.
    pub rollouts_version: Option<rules::RolloutsVersion>,
    pub app_scope: Option<crate::input::AppScope>,
    pub namespace: Option<String>,
    /// Helm charts' settings, their directories resolved against the file's.
    pub helm: Vec<crate::input::HelmChartConfig>,
}

impl Config {
    /// Reads `explicit`, else the nearest `.rollwright.yaml` from `start` upwards, else none.
    pub fn discover(explicit: Option<&Path>, start: &Path) -> Result<Config> {
        if let Some(p) = explicit {
            return Config::read(p);
        }
        let mut dir = std::fs::canonicalize(start).ok();
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            // A FIFO or device link found here is refused when read, not passed over.
            if candidate.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                return Config::read(&candidate);
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(Config::default())
    }

    pub fn read(path: &Path) -> Result<Config> {
        let bytes = crate::fsutil::read_regular(path)?;
        let text = crate::yaml::decode(&bytes).map_err(|e| Diagnostic::yaml(path, e))?;
        let doc = crate::yaml::parse_single(text).map_err(|e| Diagnostic::yaml(path, e))?;
        let Some(doc) = doc else {
            return Ok(Config {
                path: Some(path.to_path_buf()),
                ..Config::default()
            });
        };
        let at = |pointer: &str| {
            Location::file(
                path,
                doc.positions
                    .nearest(pointer)
                    .map(|p| p.key.unwrap_or(p.value)),
            )
        };
        // The file is found in the repository, which may link it to any file on the machine:
        // one that is not a mapping is described by its type, never printed.
        if !doc.value.is_object() && !doc.value.is_null() {
            return Err(Error::one(
                Diagnostic::new(
                    Some(at("")),
                    format!(
                        "a configuration file must be a mapping of keys, found {}",
                        crate::schema::describe::json_type(&doc.value)
                    ),
                )
                .with_help(
                    "the keys are `rules`, `exclude`, `ignore` and `diff` (docs/configuration.md)",
                ),
            ));
        }
        let file: ConfigFile = serde_path_to_error::deserialize(&doc.value).map_err(|e| {
            let pointer = e
                .path()
                .to_string()
                .split('.')
                .filter(|s| !s.is_empty() && *s != "?")
                .fold(String::new(), |acc, s| format!("{acc}/{s}"));
            Error::one(
                Diagnostic::new(Some(at(&pointer)), e.inner().to_string()).with_help(
                    "the keys are `rules`, `exclude`, `ignore`, `appScope`, `namespace`, `helm`, `diff` and `rolloutsVersion` (docs/configuration.md)",
                ),
            )
        })?;
        let base = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut helm = Vec::new();
        for (chart, settings) in &file.helm {
            if Path::new(chart).is_absolute() || chart.split(['/', '\\']).any(|s| s == "..") {
                return Err(Error::one(
                    Diagnostic::new(
                        Some(at(&format!("/helm/{}", crate::yaml::escape_segment(chart)))),
                        format!("`{chart}` is not a directory below this file"),
                    )
                    .with_help(
                        "name the chart directory relative to .rollwright.yaml, e.g. `charts/shop`",
                    ),
                ));
            }
            helm.push(crate::input::HelmChartConfig {
                chart: crate::input::walk::absolute(&base.join(chart)),
                value_files: settings.value_files.clone(),
                release_name: settings.release_name.clone(),
                namespace: settings.namespace.clone(),
            });
        }
        let mut config = Config {
            path: Some(path.to_path_buf()),
            exclude: file.exclude,
            diff: file.diff,
            app_scope: file.app_scope,
            namespace: file.namespace,
            helm,
            ..Config::default()
        };
        if let Some(v) = &file.rollouts_version {
            // YAML reads an unquoted 1.10 as the number 1.1: only a string says 1.10.
            let text = match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) if n.to_string() != "1.1" => Some(n.to_string()),
                _ => None,
            };
            let version = text.as_deref().and_then(rules::RolloutsVersion::parse);
            config.rollouts_version = Some(version.ok_or_else(|| {
                Error::one(
                    Diagnostic::new(
                        Some(at("/rolloutsVersion")),
                        format!("`{v}` is not an Argo Rollouts release rollwright knows"),
                    )
                    .with_help(format!(
                        "use one of {}, as a string (rolloutsVersion: \"1.10\")",
                        rules::RolloutsVersion::supported()
                    )),
                )
            })?);
        }
        let rule = |key: &str, pointer: &str| -> Result<&'static rules::Rule> {
            rules::find(key).ok_or_else(|| {
                let names = rules::all().flat_map(|r| [r.id, r.name]);
                let help = match did_you_mean(key, names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`rollwright rules` lists every rule".into(),
                };
                Error::one(
                    Diagnostic::new(Some(at(pointer)), format!("no rule `{key}`")).with_help(help),
                )
            })
        };
        for (key, setting) in &file.rules {
            let pointer = format!("/rules/{}", crate::yaml::escape_segment(key));
            let r = rule(key, &pointer)?;
            // YAML 1.1 reads a bare `off` as false (and `on` as true), as Kubernetes does.
            let severity = match setting {
                Value::Bool(false) => None,
                Value::Bool(true) => Some(r.severity),
                Value::String(s) if s == "off" => None,
                Value::String(s) if s == "on" => Some(r.severity),
                other => Some(other.as_str().and_then(Severity::parse).ok_or_else(|| {
                    Error::one(
                        Diagnostic::new(
                            Some(at(&pointer)),
                            format!("`{other}` is not a setting for a rule"),
                        )
                        .with_help("use off, on, error, warning or info"),
                    )
                })?),
            };
            config.overrides.insert(r.id, severity);
        }
        for (i, ignore) in file.ignore.iter().enumerate() {
            let glob = Glob::new(&ignore.path).map_err(|e| {
                Error::one(
                    Diagnostic::new(Some(at(&format!("/ignore/{i}/path"))), e.kind().to_string())
                        .with_help("write a glob such as `apps/*/values-*.yaml`"),
                )
            })?;
            let set = GlobSetBuilder::new().add(glob).build().map_err(|e| {
                Error::msg(e.to_string(), "write a glob such as `apps/*/values-*.yaml`")
            })?;
            let mut ids = Vec::new();
            for (j, key) in ignore.rules.iter().enumerate() {
                ids.push(rule(key, &format!("/ignore/{i}/rules/{j}"))?.id);
            }
            config.ignore.push((set, ids));
        }
        Ok(config)
    }

    /// The severity of `rule` here, or `None` when it is off.
    pub fn severity(&self, rule: &rules::Rule, found: Severity) -> Option<Severity> {
        match self.overrides.get(rule.id) {
            Some(setting) => *setting,
            None => Some(found),
        }
    }

    /// Whether findings of `rule` in `file` are silenced by a path rule.
    pub fn ignored(&self, rule: &rules::Rule, file: &str) -> bool {
        let file = file.strip_prefix("./").unwrap_or(file);
        self.ignore
            .iter()
            .any(|(set, ids)| ids.contains(&rule.id) && set.is_match(file))
    }
}
