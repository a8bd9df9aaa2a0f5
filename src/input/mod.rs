//! Finding and reading the manifests a run looks at: files, directories walked recursively,
//! standard input, kustomize roots built, Helm charts templated and rollwright charts
//! rendered; and which objects form one application.
//!
//! Reading goes in two steps: [`classify::plan`] turns the paths into units of work (a file
//! of manifests, a kustomize root, a chart…), deciding what each file is the same way whether
//! a walk met it or the command line named it; then the units are read in parallel, each into
//! its own part, and the parts joined in plan order, so the result is the same on any number
//! of cores. [`read`] joins every part into one [`Inputs`]; [`read_each`] (what `validate`
//! uses) hands over one group of applications at a time and lets it go before the next.

mod apps;
pub mod charts;
pub mod classify;
pub mod helm;
pub mod kustomize;
pub mod peer;
mod stream;
pub mod walk;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde_json::Value;

pub use crate::yaml::file_start;
pub use apps::{AppScope, Application};
pub use charts::ChartFlags;
pub use classify::{CONFIG_GROUPS, CONFIG_KINDS, is_helm_template};
pub use stream::{Streamed, read_each};

use crate::error::{Diagnostic, Location};
use crate::manifest::Object;
use crate::yaml::{self, NodePos, Pos, Positions};
use classify::Unit;

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// Paths as named on the command line; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Globs of paths to leave out of directory walks.
    pub exclude: Vec<String>,
    /// Named files that hold no Kubernetes object are skipped instead of being errors: what a
    /// pre-commit hook wants, since it passes every staged YAML file (CI configs…) by name.
    pub skip_non_manifests: bool,
    /// Texts read as if they were files of these names, after `paths` (tests, fuzzing and
    /// embedding callers hand manifests over without a file).
    pub texts: Vec<(String, Vec<u8>)>,
    /// How plain manifest files group into applications.
    pub scope: AppScope,
    /// The namespace of objects that name none (`-n`): part of their identity.
    pub namespace: Option<String>,
    /// `-f`/`--set`… for the one chart of the run.
    pub chart_flags: ChartFlags,
    /// Follow symbolic links out of the tree (and to directories).
    pub follow_symlinks: bool,
    /// Files larger than this are not read (default [`walk::DEFAULT_MAX_FILE_SIZE`]).
    pub max_file_size: Option<u64>,
    /// Settings of Helm charts, from the configuration.
    pub helm: Vec<HelmChartConfig>,
    /// Run no external tool (kustomize, kubectl, helm).
    pub no_tools: bool,
}

impl InputOptions {
    pub fn limits(&self) -> walk::Limits {
        walk::Limits {
            max_file_size: self.max_file_size.unwrap_or(walk::DEFAULT_MAX_FILE_SIZE),
            follow_symlinks: self.follow_symlinks,
        }
    }
}

/// How one Helm chart is rendered, from `helm:` in the configuration.
#[derive(Debug, Clone, Default)]
pub struct HelmChartConfig {
    /// The chart directory, absolute.
    pub chart: PathBuf,
    /// Value files, relative to the chart.
    pub value_files: Vec<String>,
    pub release_name: Option<String>,
    pub namespace: Option<String>,
}

/// A file laid over an object's source: a kustomize patch, or an overlay values file. A
/// finding at a field this layer sets points into it.
#[derive(Debug, Clone)]
pub struct Layer {
    pub file: String,
    pub positions: Positions,
}

/// Everything read.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Grouped by application, in the order applications were met.
    pub objects: Vec<Object>,
    /// Per object, the files laid over its source, lowest first.
    pub layers: Vec<Vec<Arc<Layer>>>,
    pub applications: Vec<Application>,
    /// Per object while reading: its application.
    app_keys: Vec<Arc<str>>,
    /// Per object while reading: the unit of the plan it came from.
    units: Vec<usize>,
    /// Files read, by display name (a file two applications read counts once).
    read_names: std::collections::BTreeSet<String>,
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

/// The peer tools, looked up once per run.
#[derive(Default)]
struct Tools {
    none: bool,
    kustomize: OnceLock<Option<peer::Tool>>,
    helm: OnceLock<Option<peer::Tool>>,
}

impl Tools {
    fn new(none: bool) -> Self {
        Tools {
            none,
            ..Tools::default()
        }
    }
    fn kustomize(&self) -> Option<&peer::Tool> {
        if self.none {
            return None;
        }
        self.kustomize.get_or_init(peer::kustomize).as_ref()
    }
    fn helm(&self) -> Option<&peer::Tool> {
        if self.none {
            return None;
        }
        self.helm.get_or_init(peer::helm).as_ref()
    }
}

/// Reads every input. Problems with one file never stop the others.
pub fn read(options: &InputOptions) -> Inputs {
    let (mut inputs, units) = start(options);
    let tools = Tools::new(options.no_tools);
    let parts = crate::parallel::map(&units, 2, |unit| read_part(unit, options, &tools));
    for (i, part) in parts.into_iter().enumerate() {
        inputs.join_unit(i, part);
    }
    inputs.finish(options);
    inputs
}

/// Plans the run: its units of work, and the errors and notes planning found (in an
/// otherwise empty [`Inputs`]). No unit when the chart flags do not fit the run.
fn start(options: &InputOptions) -> (Inputs, Vec<Unit>) {
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
    let mut plan = classify::plan(options, &paths, &exclude);
    inputs.errors.append(&mut plan.errors);
    inputs.notes.append(&mut plan.notes);
    if !options.chart_flags.is_empty()
        && let Err(d) = apply_chart_flags(&mut plan.units, &paths)
    {
        inputs.errors.push(d);
        return (inputs, Vec::new());
    }
    (inputs, plan.units)
}

/// Reads one unit into a part of its own.
fn read_part(unit: &Unit, options: &InputOptions, tools: &Tools) -> Inputs {
    let mut part = Inputs::default();
    part.read_unit(unit, options, tools);
    part
}

/// `-f`/`--set`… apply to one chart: the one path named must be a rollwright chart, its
/// values file or an overlay; a named directory's other overlays are left out.
fn apply_chart_flags(units: &mut Vec<Unit>, paths: &[PathBuf]) -> Result<(), Diagnostic> {
    let charts: std::collections::HashSet<PathBuf> = units
        .iter()
        .filter_map(|u| match u {
            Unit::Chart { chart, .. } => Some(walk::absolute(chart)),
            _ => None,
        })
        .collect();
    if paths.len() != 1 || charts.len() != 1 {
        return Err(Diagnostic::new(
            Some(Location::Flag("-f/--set/--set-string/--set-json".into())),
            format!(
                "these flags apply to one rollwright chart; the run names {} path{} holding {} chart{}",
                paths.len(),
                if paths.len() == 1 { "" } else { "s" },
                charts.len(),
                if charts.len() == 1 { "" } else { "s" },
            ),
        )
        .with_help("name one chart directory, its values.yaml or an overlay values file: rollwright validate apps/shop -f apps/shop/values-prod.yaml"));
    }
    let named_dir = paths[0].is_dir();
    units.retain(|u| {
        !matches!(
            u,
            Unit::Chart {
                overlay: Some(_),
                ..
            }
        ) || !named_dir
    });
    for u in units.iter_mut() {
        if let Unit::Chart { flags, .. } = u {
            *flags = true;
        }
    }
    Ok(())
}

/// A rollwright chart: a directory without Helm's `Chart.yaml` whose `values.yaml` is a
/// rollwright values file, or (as always when a directory is named) one whose `values.yaml`
/// has no YAML beside it but other values files.
pub fn is_chart(dir: &Path) -> bool {
    if helm::is_chart(dir) || !dir.join("values.yaml").is_file() {
        return false;
    }
    let old_style = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).all(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            !classify::is_yaml_name(&name) || name.starts_with("values") || name.starts_with('.')
        })
    });
    old_style || charts::is_chart_by_content(dir, &walk::Limits::default())
}

/// What a file turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    Objects,
    /// No object, but one mapping: maybe a values file.
    Values,
    Nothing,
    /// A template source that does not parse as YAML.
    Template,
    /// Unreadable or not YAML: already reported.
    Broken,
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
    builder.build().map_err(|e| {
        Diagnostic::new(None, e.to_string())
            .with_help("use globs such as `vendor/**` or `**/*.tpl.yaml`")
    })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

impl Inputs {
    /// Joins the part unit `unit` of the plan read.
    fn join_unit(&mut self, unit: usize, part: Inputs) {
        self.units
            .extend(std::iter::repeat_n(unit, part.objects.len()));
        self.join(part);
    }

    fn join(&mut self, part: Inputs) {
        self.objects.extend(part.objects);
        self.layers.extend(part.layers);
        self.app_keys.extend(part.app_keys);
        self.sources.extend(part.sources);
        self.errors.extend(part.errors);
        self.read_names.extend(part.read_names);
        self.skipped_documents += part.skipped_documents;
        self.skipped_templates += part.skipped_templates;
        self.notes.extend(part.notes);
    }

    fn push(&mut self, object: Object, app: &Arc<str>, layers: Vec<Arc<Layer>>) {
        self.objects.push(object);
        self.layers.push(layers);
        self.app_keys.push(app.clone());
    }

    fn read_unit(&mut self, unit: &Unit, options: &InputOptions, tools: &Tools) {
        let limits = options.limits();
        match unit {
            Unit::Stdin => match walk::read_stdin(&limits) {
                Ok(bytes) => {
                    let app = apps::of_stdin(options.scope);
                    let holds = self.read_file("<stdin>", bytes, &app);
                    self.named_result("<stdin>", holds, options);
                }
                Err(d) => self.errors.push(d),
            },
            Unit::Text(i) => {
                let (name, bytes) = &options.texts[*i];
                let app = apps::of_name(options.scope, name);
                let holds = self.read_file(name, bytes.clone(), &app);
                self.named_result(name, holds, options);
            }
            Unit::File { path, named, app } => {
                let name = display(path);
                let bytes = match walk::read(path, &limits, !named) {
                    Ok(b) => b,
                    Err(d) => {
                        self.errors.push(d);
                        return;
                    }
                };
                let holds = self.read_file(&name, bytes, app);
                if holds == Holds::Values
                    && self
                        .sources
                        .get(&name)
                        .is_some_and(|t| charts::is_values_text(t))
                {
                    // A rollwright values file on its own stands for its chart.
                    self.read_chart(path, None, &ChartFlags::default(), options);
                } else if *named {
                    self.named_result(&name, holds, options);
                }
            }
            Unit::Kustomize { root, reach } => self.read_kustomize(root, reach, options, tools),
            Unit::Helm { dir } => self.read_helm(dir, options, tools),
            Unit::Chart {
                chart,
                overlay,
                flags,
            } => {
                let none = ChartFlags::default();
                let flags = if *flags { &options.chart_flags } else { &none };
                self.read_chart(chart, overlay.as_deref(), flags, options);
            }
        }
    }

    /// A file the user named that turned out to hold no object is an error, unless
    /// `--skip-non-manifests`.
    fn named_result(&mut self, name: &str, holds: Holds, options: &InputOptions) {
        let path = Path::new(name);
        match holds {
            Holds::Objects | Holds::Broken => {}
            _ if options.skip_non_manifests => {}
            Holds::Template => self.errors.push(
                Diagnostic::new(
                    Some(Location::file(path, None)),
                    "is a Helm template, not a manifest",
                )
                .with_help("render it first: helm template … | rollwright validate -"),
            ),
            Holds::Values | Holds::Nothing => self.errors.push(
                Diagnostic::new(
                    Some(Location::file(path, None)),
                    "holds no Kubernetes object",
                )
                .with_help("every document needs apiVersion, kind and metadata.name (a rollwright values file needs `rollout:` or the `$schema` modeline `rollwright init` writes)"),
            ),
        }
    }

    /// Reads one file's documents into `app`.
    fn read_file(&mut self, name: &str, bytes: Vec<u8>, app: &Arc<str>) -> Holds {
        self.read_names.insert(name.to_owned());
        // The text is kept for reports without a copy: a large file costs its size once.
        let text = match yaml::decode_owned(bytes) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(Diagnostic::yaml(Path::new(name), e));
                return Holds::Broken;
            }
        };
        let holds = self.read_decoded(name, &text, app);
        self.sources.insert(name.to_owned(), text);
        holds
    }

    fn read_decoded(&mut self, name: &str, text: &str, app: &Arc<str>) -> Holds {
        let path = Path::new(name);
        let docs = match yaml::parse_documents(text) {
            Ok(d) => d,
            // A file that parses is a manifest, whatever its strings hold; one that does not
            // and holds template actions is a template source.
            Err(_) if is_helm_template(text) => {
                self.skipped_templates += 1;
                self.notes.push(format!("{name}: a Helm template, skipped (validate its `helm template` output: `helm template … | rollwright validate -`)"));
                return Holds::Template;
            }
            Err(e) => {
                self.errors.push(Diagnostic::yaml(path, e));
                return Holds::Broken;
            }
        };
        let values_like = docs.len() == 1 && docs[0].value.is_object();
        let before = self.objects.len();
        for doc in docs {
            self.add_document(name, doc, app);
        }
        let found = self.objects.len() > before;
        match (found, values_like) {
            (true, _) => Holds::Objects,
            (false, true) => Holds::Values,
            (false, false) => Holds::Nothing,
        }
    }

    fn add_document(&mut self, name: &str, doc: yaml::Document, app: &Arc<str>) {
        let api_version = doc.value.get("apiVersion").and_then(Value::as_str);
        // Configuration files of tools (kustomization.yaml, a kind cluster, skaffold.yaml)
        // carry apiVersion and kind but are not API objects.
        let is_object = api_version.is_some()
            && doc.value.get("kind").is_some()
            && !classify::config_document(&doc.value);
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
                    app,
                );
            }
            return;
        }
        let start = doc.positions.get("").map(|p| p.value);
        match Object::from_document_unnamed(doc, name) {
            Ok(o) => self.push(o, app, Vec::new()),
            Err(e) => self.errors.push(
                Diagnostic::new(Some(Location::file(Path::new(name), start)), e.message).with_help(
                    "a Kubernetes object needs string apiVersion and kind, and metadata.name",
                ),
            ),
        }
    }

    /// Renders a rollwright chart (or a values file standing for one), with an overlay and
    /// flags, as one application; its objects are positioned in the values file each value
    /// came from.
    fn read_chart(
        &mut self,
        chart: &Path,
        overlay: Option<&Path>,
        flags: &ChartFlags,
        options: &InputOptions,
    ) {
        let input = flags.input(chart, overlay);
        let values_file = if chart.is_dir() {
            chart.join("values.yaml")
        } else {
            chart.to_path_buf()
        };
        for f in std::iter::once(values_file.as_path())
            .chain(overlay)
            .chain(flags.files.iter().map(PathBuf::as_path))
        {
            self.read_names.insert(display(f));
        }
        let loaded = match crate::values::load(&input) {
            Ok(l) => l,
            Err(e) => {
                self.errors.extend(e.diagnostics);
                return;
            }
        };
        let objects = match crate::render::render(&loaded, options.namespace.as_deref()) {
            Ok(o) => o,
            Err(e) => {
                self.errors.extend(e.diagnostics);
                return;
            }
        };
        let file = display(&values_file);
        let app = apps::of_chart(chart, overlay, &flags.files);
        for f in std::iter::once(values_file.as_path())
            .chain(overlay)
            .chain(flags.files.iter().map(PathBuf::as_path))
        {
            if f != Path::new("-")
                && let Ok(bytes) = crate::fsutil::read_regular(f)
                && let Ok(text) = String::from_utf8(bytes)
            {
                self.sources.insert(display(f), text);
            }
        }
        for mut object in objects {
            let mut own = HashMap::new();
            own.insert(String::new(), file_start());
            let mut others: BTreeMap<String, HashMap<String, NodePos>> = BTreeMap::new();
            for (pointer, location) in crate::render::values_origins(&object, &loaded) {
                // A value set by a flag is reported at the flag.
                let (path, pos) = match location {
                    Location::File {
                        path,
                        pos: Some(pos),
                    } => (path, pos),
                    Location::Flag(flag) => (flag, Pos { line: 1, column: 1 }),
                    Location::File { pos: None, .. } => continue,
                };
                let node = NodePos {
                    value: pos,
                    key: None,
                    bytes: None,
                };
                if path == file {
                    own.insert(pointer, node);
                } else {
                    others.entry(path).or_default().insert(pointer, node);
                }
            }
            object.positions = Positions::from_map(own);
            object.source = file.clone();
            let layers = others
                .into_iter()
                .map(|(file, map)| {
                    Arc::new(Layer {
                        file,
                        positions: Positions::from_map(map),
                    })
                })
                .collect();
            self.push(object, &app, layers);
        }
    }

    fn read_kustomize(
        &mut self,
        root: &Path,
        reach: &kustomize::Reach,
        options: &InputOptions,
        tools: &Tools,
    ) {
        let limits = options.limits();
        let Some(kfile) = kustomize::file_in(root) else {
            return;
        };
        let kname = display(&kfile);
        let app = apps::of_kustomize(root);
        if let Ok(bytes) = walk::read(&kfile, &limits, true)
            && let Ok(text) = yaml::decode_owned(bytes)
        {
            self.sources.insert(kname.clone(), text);
        }
        self.read_names.insert(kname.clone());
        if let Ok(k) = kustomize::load(root, &limits)
            && k.component
        {
            // A component is applied by the kustomizations that list it.
            return;
        }
        // What the root reads: its resources (the objects of a build without the tool, and
        // the files built objects are traced back to) and its patches.
        let mut base = Inputs::default();
        for file in &reach.resources {
            match walk::read(file, &limits, true) {
                Ok(bytes) => {
                    base.read_file(&display(file), bytes, &app);
                }
                Err(d) => base.errors.push(d),
            }
        }
        let mut patches: Vec<(String, Option<Value>, Vec<yaml::Document>)> = Vec::new();
        for (file, target) in &reach.patches {
            let name = display(file);
            let docs = walk::read(file, &limits, true)
                .ok()
                .and_then(|b| yaml::decode_owned(b).ok())
                .map(|text| {
                    let docs = yaml::parse_documents(&text).unwrap_or_default();
                    self.sources.insert(name.clone(), text);
                    docs
                })
                .unwrap_or_default();
            self.read_names.insert(name.clone());
            patches.push((name, target.clone(), docs));
        }
        let blocked = if !reach.remote.is_empty() {
            Some(format!(
                "it has remote resources ({}), which rollwright does not fetch",
                reach.remote.join(", ")
            ))
        } else if !reach.needs.is_empty() {
            Some(format!(
                "it {}, which rollwright does not enable",
                reach.needs.join("; ")
            ))
        } else if !reach.errors.is_empty() {
            self.errors.extend(reach.errors.iter().cloned());
            return;
        } else if options.no_tools {
            Some("--no-tools".to_owned())
        } else if tools.kustomize().is_none() {
            Some("neither kustomize nor kubectl is on PATH".to_owned())
        } else {
            None
        };
        if let Some(tool) = tools.kustomize().filter(|_| blocked.is_none()) {
            let abs = std::fs::canonicalize(root).unwrap_or_else(|_| walk::absolute(root));
            let args = [
                abs.as_os_str(),
                "--load-restrictor".as_ref(),
                "LoadRestrictionsRootOnly".as_ref(),
            ];
            match peer::run(tool, &args) {
                Ok(out) => {
                    self.add_built(&kname, out, &base, &patches, &app);
                    self.read_names.extend(std::mem::take(&mut base.read_names));
                    self.sources.extend(base.sources);
                    return;
                }
                Err(peer::Failure::Exit(stderr))
                    if ["--enable-helm", "--enable-alpha-plugins", "--enable-exec"]
                        .iter()
                        .any(|f| stderr.contains(f)) =>
                {
                    self.fallback(
                        root,
                        base,
                        &patches,
                        reach,
                        &format!("`{}` needs a plugin or Helm, which rollwright does not enable ({stderr})", tool.label),
                        &app,
                    );
                }
                Err(f) => {
                    self.errors.push(
                        Diagnostic::new(
                            Some(Location::file(&kfile, None)),
                            format!("cannot build this kustomization: {}", f.describe(tool)),
                        )
                        .with_help("Argo CD fails to generate manifests from it too; run the same command locally"),
                    );
                    self.read_names.extend(std::mem::take(&mut base.read_names));
                    self.sources.extend(base.sources);
                }
            }
            return;
        }
        let reason = blocked.unwrap_or_default();
        self.fallback(root, base, &patches, reach, &reason, &app);
    }

    /// A kustomize root validated without building: its resources as they are.
    fn fallback(
        &mut self,
        root: &Path,
        mut base: Inputs,
        patches: &[(String, Option<Value>, Vec<yaml::Document>)],
        reach: &kustomize::Reach,
        reason: &str,
        app: &Arc<str>,
    ) {
        let mut note = format!(
            "{}: a kustomize root, validated without building ({reason}): its resources as they are",
            display(root)
        );
        if !patches.is_empty() || reach.inline_patches > 0 {
            let names: Vec<&str> = patches.iter().map(|(n, _, _)| n.as_str()).collect();
            note.push_str(&format!(
                "; {} patch{} not applied{}",
                patches.len() + reach.inline_patches,
                if patches.len() + reach.inline_patches == 1 {
                    ""
                } else {
                    "es"
                },
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", names.join(", "))
                }
            ));
        }
        if reach.generated > 0 {
            note.push_str("; generated objects not checked");
        }
        self.notes.push(note);
        if let Some(ns) = &reach.namespace {
            for o in &mut base.objects {
                if crate::kinds::is_namespaced_kind(&o.value) {
                    o.id.namespace = Some(ns.clone());
                }
            }
        }
        let keys = vec![app.clone(); base.objects.len()];
        base.app_keys = keys;
        self.join(base);
    }

    /// Adds the objects a build printed, each traced to the resource file it came from (and
    /// the patches that changed it), else to the kustomization.
    fn add_built(
        &mut self,
        kname: &str,
        out: Vec<u8>,
        base: &Inputs,
        patches: &[(String, Option<Value>, Vec<yaml::Document>)],
        app: &Arc<str>,
    ) {
        let text = match String::from_utf8(out) {
            Ok(t) => t,
            Err(_) => {
                self.errors.push(
                    Diagnostic::new(
                        Some(Location::file(Path::new(kname), None)),
                        "the build printed text that is not UTF-8",
                    )
                    .with_help("run `kubectl kustomize` on this directory to see what it prints"),
                );
                return;
            }
        };
        let docs = match yaml::parse_documents(&text) {
            Ok(d) => d,
            Err(e) => {
                self.errors.push(
                    Diagnostic::new(
                        Some(Location::file(Path::new(kname), None)),
                        format!("the build printed YAML that does not parse: {}", e.message),
                    )
                    .with_help("run `kubectl kustomize` on this directory to see what it prints"),
                );
                return;
            }
        };
        let mut built = Inputs::default();
        for doc in docs {
            built.add_document(kname, doc, app);
        }
        self.skipped_documents += built.skipped_documents;
        self.errors.extend(built.errors);
        for mut object in built.objects {
            let origin = trace(&object, &base.objects);
            let mut layers = Vec::new();
            match origin {
                Some(from) => {
                    object.source = from.source.clone();
                    object.positions = from.positions.clone();
                    for (file, target, docs) in patches {
                        for doc in docs {
                            let applies = kustomize::targets(
                                target.as_ref(),
                                &doc.value,
                                &from.id.kind,
                                &from.id.name,
                            );
                            if !applies {
                                continue;
                            }
                            let positions = if doc.value.is_array() {
                                kustomize::json6902_positions(doc)
                            } else {
                                doc.positions.clone()
                            };
                            layers.push(Arc::new(Layer {
                                file: file.clone(),
                                positions,
                            }));
                        }
                    }
                }
                None => {
                    object.positions =
                        Positions::from_map(HashMap::from([(String::new(), file_start())]));
                }
            }
            self.push(object, app, layers);
        }
    }

    fn read_helm(&mut self, dir: &Path, options: &InputOptions, tools: &Tools) {
        let chart_file = dir.join("Chart.yaml");
        self.read_names.insert(display(&chart_file));
        let app = apps::of_helm(dir);
        let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| walk::absolute(dir));
        let config = options
            .helm
            .iter()
            .find(|c| std::fs::canonicalize(&c.chart).is_ok_and(|c| c == abs));
        let boundary = classify::repository_root(dir);
        let mut settings = helm::ChartSettings::default();
        if let Some(c) = config {
            match helm::resolve_value_files(dir, &c.value_files, &boundary) {
                Ok(files) => settings.value_files = files,
                Err(d) => {
                    self.errors.push(d);
                    return;
                }
            }
            settings.release_name = c.release_name.clone();
            settings.namespace = c.namespace.clone();
        }
        let skip = |this: &mut Inputs, why: &str| {
            this.skipped_templates += helm::template_count(dir).max(1);
            this.notes.push(format!(
                "{}: a Helm chart, not rendered ({why}); validate its output with `helm template NAME {} | rollwright validate -`",
                display(dir),
                display(dir)
            ));
        };
        let tool = match tools.helm() {
            Some(t) => t,
            None if options.no_tools => return skip(self, "--no-tools"),
            None => return skip(self, "helm is not on PATH"),
        };
        if let Some(link) = helm::link_out(dir) {
            return skip(
                self,
                &format!(
                    "{} is a symbolic link out of the chart, which helm would follow",
                    display(&link)
                ),
            );
        }
        let rendered = match helm::template(tool, dir, &settings, options.namespace.as_deref()) {
            Ok(r) => r,
            Err(msg) if msg.contains("missing in charts/ directory") => {
                return skip(
                    self,
                    "its dependencies are not in charts/ (`helm dependency build` fetches them)",
                );
            }
            Err(msg) => {
                self.errors.push(
                    Diagnostic::new(Some(Location::file(&chart_file, None)), msg).with_help(
                        "Argo CD fails to render it too; run `helm template` on it locally",
                    ),
                );
                return;
            }
        };
        let _ = rendered.text;
        let chart_name = display(&chart_file);
        let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
        for (doc, source) in rendered.docs {
            let mut part = Inputs::default();
            let rendered_positions = doc.positions.clone();
            part.add_document(&chart_name, doc, &app);
            self.skipped_documents += part.skipped_documents;
            self.errors.extend(part.errors);
            for mut object in part.objects {
                let template = source.as_ref().and_then(|s| {
                    texts
                        .entry(s.clone())
                        .or_insert_with(|| {
                            walk::read(s, &options.limits(), true)
                                .ok()
                                .and_then(|b| String::from_utf8(b).ok())
                        })
                        .clone()
                        .map(|t| (s, t))
                });
                match template {
                    Some((path, text)) => {
                        self.read_names.insert(display(path));
                        object.source = display(path);
                        object.positions = helm::template_positions(&rendered_positions, &text);
                        self.sources.entry(display(path)).or_insert(text);
                    }
                    None => {
                        object.positions =
                            Positions::from_map(HashMap::from([(String::new(), file_start())]));
                    }
                }
                self.push(object, &app, Vec::new());
            }
        }
        if let Ok(bytes) = crate::fsutil::read_regular(&chart_file)
            && let Ok(text) = String::from_utf8(bytes)
        {
            self.sources.insert(chart_name, text);
        }
    }

    /// Gives objects without a namespace the run's, groups the objects by application.
    fn finish(&mut self, options: &InputOptions) {
        self.files = std::mem::take(&mut self.read_names).len();
        if let Some(ns) = &options.namespace {
            for o in &mut self.objects {
                if o.id.namespace.is_none() && crate::kinds::is_namespaced_kind(&o.value) {
                    o.id.namespace = Some(ns.clone());
                }
            }
        }
        let mut index: HashMap<Arc<str>, usize> = HashMap::new();
        let mut names: Vec<(Arc<str>, usize)> = Vec::new();
        let units = std::mem::take(&mut self.units);
        let keys: Vec<usize> = self
            .app_keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                *index.entry(k.clone()).or_insert_with(|| {
                    names.push((k.clone(), units.get(i).copied().unwrap_or(0)));
                    names.len() - 1
                })
            })
            .collect();
        self.app_keys.clear();
        if !keys.is_sorted() {
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by_key(|&i| keys[i]);
            let mut objects: Vec<Option<Object>> = std::mem::take(&mut self.objects)
                .into_iter()
                .map(Some)
                .collect();
            let mut layers: Vec<Option<Vec<Arc<Layer>>>> = std::mem::take(&mut self.layers)
                .into_iter()
                .map(Some)
                .collect();
            self.objects = order
                .iter()
                .map(|&i| objects[i].take().expect("once"))
                .collect();
            self.layers = order
                .iter()
                .map(|&i| layers[i].take().expect("once"))
                .collect();
        }
        let mut counts = vec![0usize; names.len()];
        for k in &keys {
            counts[*k] += 1;
        }
        let mut start = 0;
        self.applications = names
            .into_iter()
            .zip(counts)
            .map(|((name, first_unit), n)| {
                let app = Application {
                    name,
                    objects: start..start + n,
                    first_unit,
                };
                start += n;
                app
            })
            .collect();
    }

    /// Where a finding at `pointer` of object `i` is: the deepest match among the object's
    /// source and the layers over it (a later layer wins a tie: it was applied last).
    pub fn locate(&self, i: usize, pointer: &str) -> (&str, Pos) {
        let object = &self.objects[i];
        let depth = |positions: &Positions| -> Option<(usize, Pos)> {
            let mut p = pointer;
            loop {
                if let Some(found) = positions.get(p) {
                    return Some((p.len(), found.key.unwrap_or(found.value)));
                }
                p = &p[..p.rfind('/')?];
            }
        };
        let mut best = depth(&object.positions)
            .map(|(d, pos)| (d, object.source.as_str(), pos))
            .unwrap_or((0, object.source.as_str(), Pos::default()));
        for layer in self.layers.get(i).into_iter().flatten() {
            if let Some((d, pos)) = depth(&layer.positions)
                && d >= best.0
                && d > 0
            {
                best = (d, layer.file.as_str(), pos);
            }
        }
        (best.1, best.2)
    }
}

/// The resource object a built object came from: the same group and kind, and the same name
/// or one a name prefix or suffix was added to (the longest such).
fn trace<'a>(built: &Object, base: &'a [Object]) -> Option<&'a Object> {
    let same_kind = |o: &&Object| o.id.kind == built.id.kind && o.id.group() == built.id.group();
    base.iter()
        .filter(same_kind)
        .find(|o| o.id.name == built.id.name)
        .or_else(|| {
            base.iter()
                .filter(same_kind)
                .filter(|o| !o.id.name.is_empty() && built.id.name.contains(&o.id.name))
                .max_by_key(|o| o.id.name.len())
        })
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
