//! What each path of a run is, decided the same way for a file met in a walk and a file named
//! on the command line: a plain manifest file, part of a kustomize root, part of a Helm chart,
//! a rollwright chart's values or one of its overlays. The walk itself is here too; it turns
//! paths into units of work that are then read in parallel.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use globset::GlobSet;
use serde_json::Value;

use super::walk::{self, Kind, Limits};
use super::{InputOptions, charts, helm, kustomize};
use crate::error::{Diagnostic, Location};

/// API groups of configuration files that carry `apiVersion` and `kind` but are read by a
/// tool, never sent to a cluster. Their documents are skipped and counted.
pub const CONFIG_GROUPS: &[(&str, &str)] = &[
    (
        "kustomize.config.k8s.io",
        "kustomize's Kustomization and Component",
    ),
    (
        "*.config.k8s.io",
        "component configuration: kubelet, kube-proxy, kube-scheduler, apiserver…",
    ),
    (
        "kubeadm.k8s.io",
        "kubeadm's InitConfiguration, ClusterConfiguration, JoinConfiguration",
    ),
    ("audit.k8s.io", "the API server's audit Policy"),
    (
        "apiserver.k8s.io",
        "the API server's AdmissionConfiguration",
    ),
    (
        "client.authentication.k8s.io",
        "exec credential plugins' ExecCredential",
    ),
    ("kind.x-k8s.io", "kind's Cluster"),
    ("k3d.io", "k3d's Simple configuration"),
    ("ctlptl.dev", "ctlptl's Cluster and Registry"),
    (
        "skaffold",
        "skaffold's Config (`apiVersion: skaffold/v4beta…`)",
    ),
    ("eksctl.io", "eksctl's ClusterConfig"),
    ("k0sctl.k0sproject.io", "k0sctl's Cluster"),
    ("kpt.dev", "kpt's Kptfile"),
    ("fn.kpt.dev", "kpt function configuration"),
    ("config.kubernetes.io", "KRM function configuration"),
    ("builtin", "kustomize built-in plugin configuration"),
    ("kuttl.dev", "kuttl's TestSuite and TestStep"),
    ("chainsaw.kyverno.io", "chainsaw's Test and Configuration"),
    ("cli.kyverno.io", "the kyverno CLI's Test and Values"),
    ("kapp.k14s.io", "kapp's Config"),
    ("kbld.k14s.io", "kbld's Config"),
    ("vendir.k14s.io", "vendir's Config and LockConfig"),
    ("garden.io", "Garden's Project and actions"),
    ("tanka.dev", "Tanka's Environment"),
];

/// Kinds that are configuration files in a group that also holds cluster objects: group,
/// kind, what reads them. Skipped and counted like [`CONFIG_GROUPS`].
pub const CONFIG_KINDS: &[(&str, &str, &str)] = &[(
    "argoproj.io",
    "ConfigManagementPlugin",
    "Argo CD's config management plugin: a file of the repo-server's sidecar (`plugin.yaml`), never an API object",
)];

/// Whether a document with this apiVersion and kind is a tool's configuration file rather
/// than a cluster object. A kubeconfig (`apiVersion: v1`, `kind: Config`) is one too.
pub fn is_config_kind(api_version: &str, kind: &str) -> bool {
    if api_version == "v1" && kind == "Config" {
        return true;
    }
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    if group.is_empty() {
        return false;
    }
    if CONFIG_KINDS
        .iter()
        .any(|(g, k, _)| *g == group && *k == kind)
    {
        return true;
    }
    CONFIG_GROUPS
        .iter()
        .any(|(g, _)| match g.strip_prefix('*') {
            Some(suffix) => group.ends_with(suffix),
            None => group == *g,
        })
}

/// `{{` that starts a Go template action (`{{ .Values.x }}`, `{{- if`, `{{ include`), as
/// opposed to Argo Rollouts' own `{{args.x}}` placeholders, which are plain text. Only a file
/// that does not parse as YAML is taken for a template for it.
pub fn is_helm_template(text: &str) -> bool {
    const ACTIONS: &[&str] = &[
        ".",
        "$",
        "if ",
        "else",
        "end",
        "range ",
        "with ",
        "define ",
        "include ",
        "template ",
        "toYaml",
        "tpl ",
        "/*",
        "block ",
        "required ",
        "default ",
        "printf ",
        "quote ",
        "-",
    ];
    text.match_indices("{{").any(|(i, _)| {
        let rest = text[i + 2..].trim_start_matches('-').trim_start();
        ACTIONS.iter().any(|a| rest.starts_with(a))
    })
}

/// One piece of work.
#[derive(Debug, Clone)]
pub enum Unit {
    Stdin,
    /// `InputOptions::texts[i]`.
    Text(usize),
    /// A file of manifests. `named`: given on the command line. `app`: the application its
    /// objects belong to.
    File {
        path: PathBuf,
        named: bool,
        app: std::sync::Arc<str>,
    },
    Kustomize {
        root: PathBuf,
        reach: std::sync::Arc<kustomize::Reach>,
    },
    Helm {
        dir: PathBuf,
    },
    /// A rollwright chart (a directory, or a values file standing for one), with an overlay
    /// values file; `flags`: the run's `-f`/`--set` apply.
    Chart {
        chart: PathBuf,
        overlay: Option<PathBuf>,
        flags: bool,
    },
}

/// The units of a run, and what planning them found.
#[derive(Debug, Default)]
pub struct Plan {
    pub units: Vec<Unit>,
    pub notes: Vec<String>,
    pub errors: Vec<Diagnostic>,
}

struct Planner<'a> {
    scope: super::AppScope,
    cwd: PathBuf,
    limits: Limits,
    exclude: &'a GlobSet,
    plan: Plan,
    /// Units already planned, by kind and absolute path.
    seen: HashSet<(u8, PathBuf)>,
    /// Files a kustomize root reads (absolute): not read again as manifests.
    owned: HashSet<PathBuf>,
    /// Directories entered (canonical), against link loops with `--follow-symlinks`.
    entered: HashSet<PathBuf>,
}

/// Turns the run's paths into units.
pub fn plan(options: &InputOptions, paths: &[PathBuf], exclude: &GlobSet) -> Plan {
    let mut p = Planner {
        scope: options.scope,
        cwd: std::env::current_dir().unwrap_or_default(),
        limits: options.limits(),
        exclude,
        plan: Plan::default(),
        seen: HashSet::new(),
        owned: HashSet::new(),
        entered: HashSet::new(),
    };
    for (tree, path) in paths.iter().enumerate() {
        if path == Path::new("-") {
            p.push(Unit::Stdin, 0, Path::new("-"));
        } else if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            let boundary = std::fs::canonicalize(path).unwrap_or_else(|_| walk::absolute(path));
            p.visit(path, path, 0, tree, &boundary);
        } else if std::fs::symlink_metadata(path).is_ok() || std::fs::metadata(path).is_ok() {
            p.named_file(path);
        } else {
            let e = std::fs::metadata(path).unwrap_err();
            p.plan.errors.push(Diagnostic::io(path, &e));
        }
    }
    for i in 0..options.texts.len() {
        p.plan.units.push(Unit::Text(i));
    }
    let owned = std::mem::take(&mut p.owned);
    if !owned.is_empty() {
        let cwd = p.cwd.clone();
        p.plan.units.retain(|u| match u {
            Unit::File {
                path, named: false, ..
            } => !owned.contains(&walk::absolute_in(&cwd, path)),
            _ => true,
        });
    }
    p.plan
}

impl Planner<'_> {
    /// Adds a unit unless the same one is planned already.
    fn push(&mut self, unit: Unit, kind: u8, path: &Path) -> bool {
        if self.seen.insert((kind, walk::absolute_in(&self.cwd, path))) {
            self.plan.units.push(unit);
            true
        } else {
            false
        }
    }

    fn excluded(&self, path: &Path, root: &Path) -> bool {
        self.exclude.is_match(path)
            || path
                .strip_prefix(root)
                .is_ok_and(|rel| !rel.as_os_str().is_empty() && self.exclude.is_match(rel))
    }

    fn add_kustomize(&mut self, root: &Path) {
        if !self.seen.insert((1, walk::absolute(root))) {
            return;
        }
        let boundary = repository_root(root);
        let reach = kustomize::reach(root, &boundary, &self.limits);
        for f in &reach.owned {
            self.owned.insert(walk::absolute(f));
        }
        self.plan.units.push(Unit::Kustomize {
            root: root.to_path_buf(),
            reach: std::sync::Arc::new(reach),
        });
    }

    fn visit(&mut self, dir: &Path, root: &Path, depth: usize, tree: usize, boundary: &Path) {
        if depth > 0 && self.excluded(dir, root) {
            return;
        }
        // Only links can lead a walk in circles; without following them a name is enough.
        let key = if self.limits.follow_symlinks {
            std::fs::canonicalize(dir).unwrap_or_else(|_| walk::absolute_in(&self.cwd, dir))
        } else {
            walk::absolute_in(&self.cwd, dir)
        };
        if !self.entered.insert(key) {
            return;
        }
        let entries = match walk::list(dir, boundary, &self.limits) {
            Ok(e) => e,
            Err(e) => {
                self.plan.errors.push(
                    Diagnostic::new(Some(Location::file(dir, None)), format!("cannot walk: {e}"))
                        .with_help("check the directory's permissions"),
                );
                return;
            }
        };
        let has = |name: &str| {
            entries
                .iter()
                .any(|e| e.name == name && e.kind == Kind::File)
        };
        // The markers must be files of their own, not links (helm and kustomize read them
        // as such).
        if has("Chart.yaml") && helm::is_chart(dir) {
            self.push(
                Unit::Helm {
                    dir: dir.to_path_buf(),
                },
                2,
                dir,
            );
            return;
        }
        let kustomize_root =
            kustomize::FILE_NAMES.iter().any(|n| has(n)) && kustomize::file_in(dir).is_some();
        let chart = !kustomize_root
            && has("values.yaml")
            && ((depth == 0 && old_style_chart(&entries))
                || charts::is_chart_by_content(dir, &self.limits));
        if kustomize_root {
            self.add_kustomize(dir);
        } else if chart {
            self.push(
                Unit::Chart {
                    chart: dir.to_path_buf(),
                    overlay: None,
                    flags: false,
                },
                3,
                dir,
            );
        }
        let app = super::apps::of_dir(self.scope, &self.cwd, dir, Some(tree));
        for entry in &entries {
            match &entry.kind {
                Kind::Skipped(Some(note)) => self.plan.notes.push(note.clone()),
                Kind::Skipped(None) => {}
                Kind::Dir => {
                    let hidden = entry.name.starts_with('.');
                    let templates = chart && entry.name == "chart-templates";
                    if !hidden && !templates {
                        self.visit(&entry.path, root, depth + 1, tree, boundary);
                    }
                }
                Kind::File => {
                    if kustomize_root
                        || !is_yaml_name(&entry.name)
                        || self.excluded(&entry.path, root)
                    {
                        continue;
                    }
                    if chart {
                        if entry.name == "values.yaml" {
                            continue;
                        }
                        if self.is_overlay(&entry.path, &entry.name) {
                            self.push(
                                Unit::Chart {
                                    chart: dir.to_path_buf(),
                                    overlay: Some(entry.path.clone()),
                                    flags: false,
                                },
                                4,
                                &entry.path,
                            );
                            continue;
                        }
                    }
                    self.push(
                        Unit::File {
                            path: entry.path.clone(),
                            named: false,
                            app: app.clone(),
                        },
                        0,
                        &entry.path,
                    );
                }
            }
        }
    }

    /// Whether a file beside a rollwright chart's values is an overlay of it: by name (unless
    /// it holds manifests), or by content.
    fn is_overlay(&self, path: &Path, name: &str) -> bool {
        let Ok(bytes) = walk::read(path, &self.limits, false) else {
            return false;
        };
        let Ok(text) = crate::yaml::decode_owned(bytes) else {
            return false;
        };
        if charts::is_overlay_name(name) {
            return !text.lines().any(|l| l.starts_with("apiVersion:"));
        }
        !text.lines().any(|l| l.starts_with("apiVersion:")) && charts::is_values_text(&text)
    }

    /// A file named on the command line: what it is part of decides how it is read.
    fn named_file(&mut self, path: &Path) {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let stop = repository_root(&dir);
        if let Some(chart) = ancestors(&dir, &stop)
            .into_iter()
            .rev()
            .find(|d| helm::is_chart(d))
        {
            self.push(Unit::Helm { dir: chart.clone() }, 2, &chart);
            return;
        }
        if kustomize::file_in(&dir).is_some() {
            self.add_kustomize(&dir);
            return;
        }
        let abs = walk::absolute(path);
        for ancestor in ancestors(&dir, &stop).into_iter().skip(1) {
            if kustomize::file_in(&ancestor).is_none() {
                continue;
            }
            let reach = kustomize::reach(&ancestor, &stop, &self.limits);
            if reach.owned.iter().any(|f| walk::absolute(f) == abs) {
                self.add_kustomize(&ancestor);
                return;
            }
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let chart = crate::input::is_chart(&dir);
        if chart && name == "values.yaml" {
            self.push(
                Unit::Chart {
                    chart: dir.clone(),
                    overlay: None,
                    flags: false,
                },
                3,
                &dir,
            );
            return;
        }
        if chart && is_yaml_name(&name) && self.is_overlay(path, &name) {
            self.push(
                Unit::Chart {
                    chart: dir.clone(),
                    overlay: Some(path.to_path_buf()),
                    flags: false,
                },
                4,
                path,
            );
            return;
        }
        // A rollwright values file on its own stands for its chart.
        if is_yaml_name(&name)
            && walk::read(path, &self.limits, false)
                .ok()
                .and_then(|b| crate::yaml::decode_owned(b).ok())
                .is_some_and(|t| charts::is_values_text(&t))
        {
            self.push(
                Unit::Chart {
                    chart: path.to_path_buf(),
                    overlay: None,
                    flags: false,
                },
                3,
                path,
            );
            return;
        }
        let app = super::apps::of_dir(self.scope, &self.cwd, &dir, None);
        self.push(
            Unit::File {
                path: path.to_path_buf(),
                named: true,
                app,
            },
            0,
            path,
        );
    }
}

/// A chart as rollwright always knew it when named: `values.yaml` with no YAML beside it but
/// other values files.
pub fn old_style_chart(entries: &[walk::Entry]) -> bool {
    entries.iter().all(|e| {
        e.kind != Kind::File
            || !is_yaml_name(&e.name)
            || e.name.starts_with("values")
            || e.name.starts_with('.')
    })
}

pub fn is_yaml_name(name: &str) -> bool {
    [".yaml", ".yml", ".json"].iter().any(|x| name.ends_with(x))
}

/// The repository `path` lies in: the nearest directory upwards holding `.git`, else the
/// current directory when `path` is inside it, else `path`'s own directory. Canonical.
pub fn repository_root(path: &Path) -> PathBuf {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| walk::absolute(path));
    let start = if real.is_dir() {
        real.clone()
    } else {
        real.parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| real.clone())
    };
    for d in start.ancestors() {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
    }
    if let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize)
        && start.starts_with(&cwd)
    {
        return cwd;
    }
    start
}

/// `dir` and its parents up to `stop` (inclusive), nearest first, by name.
fn ancestors(dir: &Path, stop: &Path) -> Vec<PathBuf> {
    let Ok(real) = std::fs::canonicalize(dir) else {
        return vec![dir.to_path_buf()];
    };
    let mut out = Vec::new();
    let mut shown = dir.to_path_buf();
    for d in real.ancestors() {
        if !d.starts_with(stop) {
            break;
        }
        out.push(shown.clone());
        shown = walk::clean(&shown.join(".."));
    }
    out
}

/// Whether a document's apiVersion and kind mark a tool's configuration file.
pub fn config_document(value: &Value) -> bool {
    match (
        value.get("apiVersion").and_then(Value::as_str),
        value.get("kind").and_then(Value::as_str),
    ) {
        (Some(a), Some(k)) => is_config_kind(a, k),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_templates_are_told_from_argo_placeholders() {
        assert!(is_helm_template("image: {{ .Values.image }}\n"));
        assert!(is_helm_template("{{- if .Values.x }}\n"));
        assert!(is_helm_template("  {{ include \"x\" . }}\n"));
        assert!(!is_helm_template(
            "query: sum(x{svc=\"{{args.service-name}}\"})\n"
        ));
        assert!(!is_helm_template("value: \"{{ args.x }}\"\n"));
    }

    #[test]
    fn configuration_kinds_are_not_cluster_objects() {
        assert!(is_config_kind("kind.x-k8s.io/v1alpha4", "Cluster"));
        assert!(is_config_kind("skaffold/v4beta6", "Config"));
        assert!(is_config_kind(
            "kubelet.config.k8s.io/v1beta1",
            "KubeletConfiguration"
        ));
        assert!(is_config_kind(
            "kustomize.config.k8s.io/v1beta1",
            "Kustomization"
        ));
        assert!(is_config_kind("v1", "Config"));
        assert!(!is_config_kind("cluster.x-k8s.io/v1beta1", "Cluster"));
        assert!(!is_config_kind("v1", "ConfigMap"));
        assert!(!is_config_kind("argoproj.io/v1alpha1", "Rollout"));
        assert!(is_config_kind(
            "argoproj.io/v1alpha1",
            "ConfigManagementPlugin"
        ));
        assert!(!is_config_kind("argoproj.io/v1alpha1", "Application"));
    }
}
