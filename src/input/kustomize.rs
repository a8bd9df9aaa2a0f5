//! kustomize roots: a directory holding `kustomization.yaml` (or `.yml`, or `Kustomization`)
//! is one application, built the way Argo CD builds it — `kustomize build DIR`, else
//! `kubectl kustomize DIR` — and the built objects are validated. Without either tool its
//! `resources` are validated as they are and its patches are skipped with a note (a patch is
//! a fragment, never a whole object).
//!
//! The build runs on repository content, so it runs only when it stays local: a root whose
//! resources (or those of its bases, recursively) are remote, or that inflates Helm charts,
//! is validated without building, with a note. kustomize itself keeps file loads inside
//! each kustomization's root (its default load restrictor, passed explicitly) and runs no
//! plugins or functions unless flags rollwright never passes enable them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::walk::{self, Limits};
use crate::error::{Diagnostic, Location};
use crate::yaml::{self, Positions};

/// The file names kustomize looks for, in its order.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Bases nest at most this deep (kustomize itself detects cycles; this bounds the reading).
const MAX_DEPTH: usize = 32;

/// The kustomization file of `dir`, if it is a kustomize root.
pub fn file_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
}

/// One patch a kustomization applies.
#[derive(Debug, Clone)]
pub struct PatchRef {
    /// A patch file, relative to the kustomization.
    pub path: Option<String>,
    /// `target:` of a `patches` or `patchesJson6902` entry.
    pub target: Option<Value>,
    /// An inline patch (nothing to point at but the kustomization).
    pub inline: bool,
}

/// What a kustomization names.
#[derive(Debug, Clone, Default)]
pub struct Kustomization {
    pub dir: PathBuf,
    pub file: PathBuf,
    pub text: String,
    /// `kind: Component`: applied by others, not built alone.
    pub component: bool,
    pub namespace: Option<String>,
    /// `resources` and the older `bases`, as written.
    pub resources: Vec<String>,
    pub components: Vec<String>,
    pub patches: Vec<PatchRef>,
    /// Other local files it reads: generator sources, CRDs, configurations, replacements…
    pub files: Vec<String>,
    /// Features rollwright does not enable when it runs kustomize, with the flag that would.
    pub needs: Vec<&'static str>,
}

/// Reads `dir`'s kustomization.
pub fn load(dir: &Path, limits: &Limits) -> Result<Kustomization, Diagnostic> {
    let file = file_in(dir).ok_or_else(|| {
        Diagnostic::new(
            Some(Location::file(dir, None)),
            "is not a kustomize root (no kustomization.yaml)",
        )
        .with_help(
            "name a directory holding kustomization.yaml, kustomization.yml or Kustomization",
        )
    })?;
    let bytes = walk::read(&file, limits, true)?;
    let text = yaml::decode_owned(bytes).map_err(|e| Diagnostic::yaml(&file, e))?;
    let doc = yaml::parse_single(&text).map_err(|e| Diagnostic::yaml(&file, e))?;
    let value = doc.map(|d| d.value).unwrap_or(Value::Null);
    let mut k = Kustomization {
        dir: dir.to_path_buf(),
        file,
        ..Default::default()
    };
    k.component = value.get("kind").and_then(Value::as_str) == Some("Component");
    k.namespace = value
        .get("namespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let strings = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    k.resources = strings("resources");
    k.resources.extend(strings("bases"));
    k.components = strings("components");
    for entry in value
        .get("patches")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        k.patches.push(PatchRef {
            path: entry.get("path").and_then(Value::as_str).map(str::to_owned),
            target: entry.get("target").cloned(),
            inline: entry.get("patch").is_some(),
        });
    }
    for entry in value
        .get("patchesStrategicMerge")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // An entry is a file name, or an inline patch (a string holding YAML).
        if let Some(s) = entry.as_str() {
            let inline = s.contains('\n') || s.contains(": ");
            k.patches.push(PatchRef {
                path: (!inline).then(|| s.to_owned()),
                target: None,
                inline,
            });
        }
    }
    for entry in value
        .get("patchesJson6902")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        k.patches.push(PatchRef {
            path: entry.get("path").and_then(Value::as_str).map(str::to_owned),
            target: entry.get("target").cloned(),
            inline: entry.get("patch").is_some(),
        });
    }
    for key in [
        "crds",
        "configurations",
        "generators",
        "transformers",
        "validators",
    ] {
        k.files.extend(strings(key));
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        for g in value
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for f in g
                .get("files")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                // `key=path` names the key in the generated object.
                k.files
                    .push(f.split_once('=').map_or(f, |(_, p)| p).to_owned());
            }
            for f in g
                .get("envs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                k.files.push(f.to_owned());
            }
            if let Some(f) = g.get("env").and_then(Value::as_str) {
                k.files.push(f.to_owned());
            }
        }
    }
    for r in value
        .get("replacements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(p) = r.get("path").and_then(Value::as_str) {
            k.files.push(p.to_owned());
        }
    }
    if let Some(p) = value.pointer("/openapi/path").and_then(Value::as_str) {
        k.files.push(p.to_owned());
    }
    if value.get("helmCharts").is_some() || value.get("helmChartInflationGenerator").is_some() {
        k.needs
            .push("inflates Helm charts (kustomize --enable-helm)");
    }
    k.text = text;
    Ok(k)
}

/// Whether a `resources` entry is a URL or a remote git reference rather than a local path
/// (kustomize tries a local path first).
pub fn is_remote(dir: &Path, entry: &str) -> bool {
    if entry.contains("://") || entry.starts_with("git@") || entry.starts_with("git::") {
        return true;
    }
    if dir.join(entry).exists() {
        return false;
    }
    let host = entry.split('/').next().unwrap_or("");
    entry.contains("?ref=")
        || entry.contains("?version=")
        || (host.contains('.') && host != "." && host != ".." && entry.contains('/'))
}

/// What a root reads, found by following its resources and components: the files it takes
/// objects from, its patches, and what stands in the way of building it.
#[derive(Debug, Default)]
pub struct Reach {
    /// Resource files, in kustomize's order.
    pub resources: Vec<PathBuf>,
    /// Patch files, with the kustomization's `target:`.
    pub patches: Vec<(PathBuf, Option<Value>)>,
    pub inline_patches: usize,
    /// Every local file and kustomization read, for the walk to leave to this root.
    pub owned: Vec<PathBuf>,
    /// Remote resources (not fetched).
    pub remote: Vec<String>,
    /// Features not enabled (see [`Kustomization::needs`]).
    pub needs: Vec<String>,
    pub errors: Vec<Diagnostic>,
    /// Generators and other inputs that make objects only a build can show.
    pub generated: usize,
    /// `namespace:` of the root.
    pub namespace: Option<String>,
}

/// Follows `root`'s kustomization. `boundary`: files and bases must stay inside it.
pub fn reach(root: &Path, boundary: &Path, limits: &Limits) -> Reach {
    let mut out = Reach::default();
    let mut seen = HashSet::new();
    follow(root, boundary, limits, 0, &mut seen, &mut out, true);
    out
}

fn follow(
    dir: &Path,
    boundary: &Path,
    limits: &Limits,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    out: &mut Reach,
    top: bool,
) {
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| walk::absolute(dir));
    if !seen.insert(canonical.clone()) {
        return;
    }
    if depth > MAX_DEPTH {
        out.errors.push(
            Diagnostic::new(
                Some(Location::file(dir, None)),
                format!("kustomize bases nest deeper than {MAX_DEPTH} levels"),
            )
            .with_help("check the resources for a base that includes itself through others"),
        );
        return;
    }
    if !canonical.starts_with(boundary) {
        out.needs
            .push(format!("reads {} outside the repository", dir.display()));
        return;
    }
    let k = match load(dir, limits) {
        Ok(k) => k,
        Err(e) => {
            out.errors.push(e);
            return;
        }
    };
    out.owned.push(walk::clean(&k.file));
    if top {
        out.namespace = k.namespace.clone();
    }
    out.needs.extend(k.needs.iter().map(|s| s.to_string()));
    out.generated += k.files.len();
    for f in &k.files {
        out.owned.push(walk::clean(&dir.join(f)));
    }
    let entries = k
        .resources
        .iter()
        .map(|r| (r, false))
        .chain(k.components.iter().map(|c| (c, true)));
    for (entry, component) in entries {
        if is_remote(dir, entry) {
            out.remote.push(entry.clone());
            continue;
        }
        let path = walk::clean(&dir.join(entry));
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => {
                follow(&path, boundary, limits, depth + 1, seen, out, false);
            }
            Ok(_) if component => out.errors.push(
                Diagnostic::new(
                    Some(Location::file(&k.file, None)),
                    format!(
                        "component `{entry}` is a file; a component is a directory with a kustomization"
                    ),
                )
                .with_help("list the file under `resources`, or name the component's directory"),
            ),
            Ok(_) => {
                // kustomize's load restrictor: a resource file lies inside its root.
                let inside = std::fs::canonicalize(&path).is_ok_and(|p| p.starts_with(&canonical));
                if inside {
                    out.owned.push(path.clone());
                    out.resources.push(path);
                } else {
                    out.errors.push(
                        Diagnostic::new(
                            Some(Location::file(&k.file, None)),
                            format!("resource `{entry}` is outside this kustomization's directory"),
                        )
                        .with_help("kustomize loads resource files only from inside the root; make the other directory a kustomization and list the directory"),
                    );
                }
            }
            Err(_) => out.errors.push(
                Diagnostic::new(
                    Some(Location::file(&k.file, None)),
                    format!("resource `{entry}` does not exist"),
                )
                .with_help("kustomize build fails on it too; fix the path"),
            ),
        }
    }
    for p in &k.patches {
        match &p.path {
            Some(rel) => {
                let path = walk::clean(&dir.join(rel));
                out.owned.push(path.clone());
                // Read only from inside the root, as kustomize's load restrictor reads.
                let inside = std::fs::canonicalize(&path).is_ok_and(|p| p.starts_with(&canonical));
                if inside {
                    out.patches.push((path, p.target.clone()));
                } else {
                    out.errors.push(
                        Diagnostic::new(
                            Some(Location::file(&k.file, None)),
                            format!(
                                "patch `{rel}` does not exist inside this kustomization's directory"
                            ),
                        )
                        .with_help("kustomize loads patch files only from inside the root"),
                    );
                }
            }
            None if p.inline => out.inline_patches += 1,
            None => {}
        }
    }
}

/// Positions of a JSON 6902 patch (a list of operations) as if it were the object it patches:
/// each operation's `path` maps to where its `value` is written.
pub fn json6902_positions(doc: &yaml::Document) -> Positions {
    let mut map = std::collections::HashMap::new();
    let Some(ops) = doc.value.as_array() else {
        return Positions::default();
    };
    let all: Vec<(&String, &yaml::NodePos)> = doc.positions.iter().collect();
    for (i, op) in ops.iter().enumerate() {
        let Some(path) = op.get("path").and_then(Value::as_str) else {
            continue;
        };
        let base = format!("/{i}/value");
        if let Some(p) = doc.positions.get(&format!("/{i}")) {
            map.insert(path.to_owned(), *p);
        }
        for (pointer, pos) in &all {
            if let Some(rest) = pointer.strip_prefix(&base)
                && (rest.is_empty() || rest.starts_with('/'))
            {
                map.insert(format!("{path}{rest}"), **pos);
            }
        }
    }
    Positions::from_map(map)
}

/// Whether a patch with `target` (or, without one, a strategic-merge patch naming
/// `kind`/`name` itself) applies to an object of `kind` named `name`.
pub fn targets(target: Option<&Value>, patch: &Value, kind: &str, name: &str) -> bool {
    match target {
        Some(t) => {
            let field = |k: &str| t.get(k).and_then(Value::as_str);
            let matches = |pattern: Option<&str>, value: &str| {
                pattern.is_none_or(|p| {
                    p == value
                        || regex::Regex::new(&format!("^(?:{p})$")).is_ok_and(|r| r.is_match(value))
                })
            };
            matches(field("kind"), kind) && matches(field("name"), name)
        }
        None => {
            patch.get("kind").and_then(Value::as_str) == Some(kind)
                && patch.pointer("/metadata/name").and_then(Value::as_str) == Some(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_resources_are_told_from_local_paths() {
        let dir = Path::new("/nonexistent-dir");
        for r in [
            "https://github.com/argoproj/argo-rollouts//manifests?ref=v1.8.3",
            "github.com/org/repo//deploy?ref=main",
            "git@github.com:org/repo.git",
            "git::https://example.com/repo.git",
        ] {
            assert!(is_remote(dir, r), "{r}");
        }
        for r in ["../base", "rollout.yaml", "deploy/rollout.yaml"] {
            assert!(!is_remote(dir, r), "{r}");
        }
    }

    #[test]
    fn patches_target_by_name_kind_or_pattern() {
        let smp: Value = serde_json::json!({"kind": "Rollout", "metadata": {"name": "shop"}});
        assert!(targets(None, &smp, "Rollout", "shop"));
        assert!(!targets(None, &smp, "Rollout", "other"));
        let t = serde_json::json!({"kind": "Rollout", "name": "sh.*"});
        assert!(targets(Some(&t), &Value::Null, "Rollout", "shop"));
        assert!(!targets(Some(&t), &Value::Null, "Service", "shop"));
    }

    #[test]
    fn a_json6902_patch_is_positioned_at_each_operations_value() {
        let doc = yaml::parse_documents(
            "- op: replace\n  path: /spec/strategy/blueGreen/previewService\n  value: shop-active\n",
        )
        .unwrap()
        .remove(0);
        let p = json6902_positions(&doc);
        let pos = p.get("/spec/strategy/blueGreen/previewService").unwrap();
        assert_eq!((pos.value.line, pos.value.column), (3, 10));
    }
}
