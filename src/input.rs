//! Finding and reading the manifests a run looks at: files, directories walked recursively,
//! standard input, and charts rendered first.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde_json::Value;

use crate::error::{Diagnostic, Location};
use crate::manifest::Object;
use crate::yaml::{self, NodePos, Pos, Positions};

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// Paths as named on the command line; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Globs of paths to leave out of directory walks.
    pub exclude: Vec<String>,
    /// Named files that hold no Kubernetes object are skipped instead of being errors, and a
    /// chart's values file renders its chart: what a pre-commit hook wants, since it passes
    /// every staged YAML file (Chart.yaml, CI configs, values files) by name.
    pub skip_non_manifests: bool,
    /// Texts read as if they were files of these names, after `paths` (tests, fuzzing and
    /// embedding callers hand manifests over without a file).
    pub texts: Vec<(String, Vec<u8>)>,
}

/// Everything read.
#[derive(Debug, Default)]
pub struct Inputs {
    pub objects: Vec<Object>,
    /// Text of every file read, by display name (for source lines in reports).
    pub sources: BTreeMap<String, String>,
    /// Unreadable files, YAML syntax errors, files named that hold no object.
    pub errors: Vec<Diagnostic>,
    pub files: usize,
    /// YAML documents that are not Kubernetes objects.
    pub skipped_documents: usize,
    /// Helm template sources, skipped unrendered.
    pub skipped_templates: usize,
    pub notes: Vec<String>,
}

/// Reads every input. Problems with one file never stop the others.
pub fn read(options: &InputOptions) -> Inputs {
    let mut inputs = Inputs::default();
    let exclude = match globs(&options.exclude) {
        Ok(set) => set,
        Err(d) => {
            inputs.errors.push(d);
            GlobSet::empty()
        }
    };
    let paths: Vec<PathBuf> = if options.paths.is_empty() && options.texts.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let mut rendered = std::collections::HashSet::new();
    for path in &paths {
        if path == Path::new("-") {
            let mut buf = Vec::new();
            match std::io::stdin().read_to_end(&mut buf) {
                Ok(_) => {
                    inputs.read_text("<stdin>", buf, true);
                }
                Err(e) => inputs.errors.push(Diagnostic::io(path, &e)),
            }
        } else if path.is_dir() {
            if is_chart(path) {
                inputs.render_chart(path);
            } else {
                inputs.walk(path, &exclude);
            }
        } else {
            match std::fs::read(path) {
                Ok(bytes) if options.skip_non_manifests => {
                    let name = path.display().to_string();
                    let dir = path
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or(Path::new("."));
                    let values = path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("values"));
                    if values && is_chart(dir) {
                        if rendered.insert(dir.to_path_buf()) {
                            inputs.render_chart(dir);
                        }
                    } else {
                        inputs.read_text(&name, bytes, false);
                    }
                }
                Ok(bytes) => {
                    let name = path.display().to_string();
                    if inputs.read_file(&name, bytes, true) == Holds::Values {
                        // A values file named on the command line is rendered, not refused.
                        inputs.errors.pop();
                        inputs.render_chart(path);
                    }
                }
                Err(e) => inputs.errors.push(Diagnostic::io(path, &e)),
            }
        }
    }
    for (name, bytes) in &options.texts {
        inputs.read_text(name, bytes.clone(), true);
    }
    inputs
}

/// A rollwright chart: `values.yaml` without Helm's `Chart.yaml` beside it, and no YAML
/// beside it but other values files (`values-prod.yaml`); a directory that also holds
/// manifests is walked instead.
pub fn is_chart(dir: &Path) -> bool {
    if !dir.join("values.yaml").is_file() || dir.join("Chart.yaml").exists() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).all(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let yaml = [".yaml", ".yml", ".json"].iter().any(|x| name.ends_with(x));
        !yaml || name.starts_with("values") || name.starts_with('.')
    })
}

/// What a file turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    Objects,
    /// No object, but one mapping: maybe a values file.
    Values,
    Nothing,
}

fn globs(patterns: &[String]) -> Result<GlobSet, Diagnostic> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| {
            Diagnostic::new(
                Some(Location::Flag(format!("--exclude {p}"))),
                e.kind().to_string(),
            )
            .with_help("use a glob such as `vendor/**` or `**/*.tpl.yaml`")
        })?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| Diagnostic::new(None, e.to_string()))
}

/// `{{` that starts a Go template action (`{{ .Values.x }}`, `{{- if`, `{{ include`), as
/// opposed to Argo Rollouts' own `{{args.x}}` placeholders, which are plain text.
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

impl Inputs {
    fn walk(&mut self, root: &Path, exclude: &GlobSet) {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let hidden =
                    e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
                !(hidden && e.file_type().is_dir())
            });
        let mut files = Vec::new();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.to_path_buf());
                    self.errors.push(Diagnostic::new(
                        Some(Location::file(&path, None)),
                        format!("cannot walk: {e}"),
                    ));
                    continue;
                }
            };
            let path = entry.path();
            if entry.file_type().is_dir() {
                continue;
            }
            let yaml_like = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
            if !yaml_like
                || exclude.is_match(path)
                || exclude.is_match(path.strip_prefix(root).unwrap_or(path))
            {
                continue;
            }
            files.push(entry.into_path());
        }
        // Files are read and parsed in parallel, each into its own part, and the parts are
        // joined in walk order: the result is the same on any number of cores.
        let parts: Vec<Inputs> = files
            .par_iter()
            .map(|path| {
                let mut part = Inputs::default();
                match std::fs::read(path) {
                    Ok(bytes) => {
                        part.read_text(&path.display().to_string(), bytes, false);
                    }
                    Err(e) => part.errors.push(Diagnostic::io(path, &e)),
                }
                part
            })
            .collect();
        for part in parts {
            self.join(part);
        }
    }

    fn join(&mut self, part: Inputs) {
        self.objects.extend(part.objects);
        self.sources.extend(part.sources);
        self.errors.extend(part.errors);
        self.files += part.files;
        self.skipped_documents += part.skipped_documents;
        self.skipped_templates += part.skipped_templates;
        self.notes.extend(part.notes);
    }

    /// Reads one file's documents. `named`: the user named this file, so holding no object
    /// is an error. Returns whether it held an object.
    fn read_text(&mut self, name: &str, bytes: Vec<u8>, named: bool) -> bool {
        self.read_file(name, bytes, named) == Holds::Objects
    }

    fn read_file(&mut self, name: &str, bytes: Vec<u8>, named: bool) -> Holds {
        self.files += 1;
        // The text is kept for reports without a copy: a large file costs its size once.
        let text = match yaml::decode_owned(bytes) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(Diagnostic::yaml(Path::new(name), e));
                return Holds::Nothing;
            }
        };
        let holds = self.read_decoded(name, &text, named);
        self.sources.insert(name.to_owned(), text);
        holds
    }

    fn read_decoded(&mut self, name: &str, text: &str, named: bool) -> Holds {
        let path = Path::new(name);
        if is_helm_template(text) {
            self.skipped_templates += 1;
            self.notes.push(format!("{name}: a Helm template, skipped (validate its `helm template` output: `helm template … | rollwright validate -`)"));
            if named {
                self.errors.push(
                    Diagnostic::new(
                        Some(Location::file(path, None)),
                        "is a Helm template, not a manifest",
                    )
                    .with_help("render it first: helm template … | rollwright validate -"),
                );
            }
            return Holds::Nothing;
        }
        let docs = match yaml::parse_documents(text) {
            Ok(d) => d,
            Err(e) => {
                self.errors.push(Diagnostic::yaml(path, e));
                return Holds::Nothing;
            }
        };
        let values_like = docs.len() == 1 && docs[0].value.is_object();
        let before = self.objects.len();
        for doc in docs {
            self.add_document(name, doc);
        }
        let found = self.objects.len() > before;
        if named && !found {
            self.errors.push(
                Diagnostic::new(
                    Some(Location::file(path, None)),
                    "holds no Kubernetes object",
                )
                .with_help("every document needs apiVersion, kind and metadata.name"),
            );
        }
        match (found, values_like) {
            (true, _) => Holds::Objects,
            (false, true) => Holds::Values,
            (false, false) => Holds::Nothing,
        }
    }

    fn add_document(&mut self, name: &str, doc: yaml::Document) {
        let api_version = doc.value.get("apiVersion").and_then(Value::as_str);
        // Configuration files of tools (kustomization.yaml: kustomize.config.k8s.io) carry
        // apiVersion and kind but are not API objects.
        let config_file = api_version.is_some_and(|a| {
            a.split('/')
                .next()
                .is_some_and(|g| g.ends_with("config.k8s.io"))
        });
        let is_object = api_version.is_some() && doc.value.get("kind").is_some() && !config_file;
        if !is_object {
            self.skipped_documents += 1;
            return;
        }
        // `kind: List` (what `kubectl get -o yaml` prints) holds its objects in `items`.
        if doc
            .value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && let Some(items) = doc.value.get("items").and_then(Value::as_array)
        {
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("/items/{i}");
                let positions = doc.positions.rebase(&prefix);
                self.add_document(
                    name,
                    yaml::Document {
                        value: item.clone(),
                        positions,
                    },
                );
            }
            return;
        }
        let start = doc.positions.get("").map(|p| p.value);
        match Object::from_document_unnamed(doc, name) {
            Ok(o) => self.objects.push(o),
            Err(e) => self.errors.push(Diagnostic::new(
                Some(Location::file(Path::new(name), start)),
                e.message,
            )),
        }
    }

    /// Renders a chart (or a values file) and adds its objects, positioned in the values file
    /// where the value came from.
    fn render_chart(&mut self, chart: &Path) {
        let input = crate::values::ValuesInput {
            chart: chart.to_path_buf(),
            ..Default::default()
        };
        let loaded = match crate::values::load(&input) {
            Ok(l) => l,
            Err(e) => {
                self.errors.extend(e.diagnostics);
                return;
            }
        };
        let objects = match crate::render::render(&loaded, None) {
            Ok(o) => o,
            Err(e) => {
                self.errors.extend(e.diagnostics);
                return;
            }
        };
        let values_file = if chart.is_dir() {
            chart.join("values.yaml")
        } else {
            chart.to_path_buf()
        };
        let file = values_file.display().to_string();
        self.files += 1;
        if let Ok(text) = std::fs::read_to_string(&values_file) {
            self.sources.insert(file.clone(), text);
        }
        for mut object in objects {
            object.positions = crate::render::values_positions(&object, &loaded);
            object.source = file.clone();
            self.objects.push(object);
        }
    }
}

impl Positions {
    /// The positions under `prefix`, re-rooted at `""`.
    pub fn rebase(&self, prefix: &str) -> Positions {
        Positions::from_iter(self.iter().filter_map(|(k, v)| {
            let rest = k.strip_prefix(prefix)?;
            (rest.is_empty() || rest.starts_with('/')).then(|| (rest.to_owned(), *v))
        }))
    }
}

impl FromIterator<(String, NodePos)> for Positions {
    fn from_iter<I: IntoIterator<Item = (String, NodePos)>>(iter: I) -> Self {
        Positions::from_map(iter.into_iter().collect())
    }
}

/// A position at the start of a file, for objects that map to no particular line.
pub fn file_start() -> NodePos {
    NodePos {
        value: Pos { line: 1, column: 1 },
        key: None,
        bytes: None,
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
}
