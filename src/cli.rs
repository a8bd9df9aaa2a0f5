//! The command line: one struct per command.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

use crate::values::ValuesInput;

#[derive(Debug, Parser)]
#[command(
    name = "rollwright",
    version,
    about = "Render, validate and diff Argo Rollouts blue-green releases",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a values file through the chart templates into Kubernetes manifests.
    Render(RenderArgs),
    /// Check manifests, directories, charts or standard input against the CRD schemas and
    /// every rule the Argo Rollouts controller enforces.
    Validate(ValidateArgs),
    /// List every rule: id, name, default severity, what it checks.
    Rules(RulesArgs),
    /// Print the JSON Schema of values files.
    Schema,
    /// Write the chart as a Helm chart (Chart.yaml, values, schema, Go templates) that
    /// renders the same objects with `helm template` / `helm upgrade`.
    ExportHelm(ExportHelmArgs),
    /// Set the image tag (and optionally repository) in a values file, changing only that
    /// value's bytes.
    #[command(
        override_usage = "rollwright set-image [CHART|VALUES] TAG [--repository REPO] [--dry-run]"
    )]
    SetImage(SetImageArgs),
    /// Set values in a values file with `--set` syntax, changing only those values' bytes.
    #[command(override_usage = "rollwright set [CHART|VALUES] KEY=VALUE... [--dry-run]")]
    Set(SetArgs),
    /// Explain the release flow these values produce, step by step, with the commands for
    /// each step.
    Explain(ExplainArgs),
    /// Scaffold a values file for one of the release patterns, with the configuration,
    /// pre-commit and GitHub Actions files that keep it checked.
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Show what applying the proposed objects would change, against the cluster (--live), a
    /// base (--base) or the same files at a git ref (--base-ref), with the release impact of
    /// each Rollout.
    Diff(Box<DiffArgs>),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write the chart into (created if missing). The pre-commit configuration
    /// and the workflow go to the root of the git repository holding it.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Application name (default: the directory's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Container image with its tag (`repo:tag` or `repo@sha256:…`).
    #[arg(long, default_value = "nginx:1.28")]
    pub image: String,
    /// Release pattern: safe (manual promote after a pre-promotion analysis), fast (automatic
    /// promotion checked by a post-promotion analysis) or hybrid (automatic promotion, only
    /// after a pre-promotion analysis succeeds).
    #[arg(long, value_enum, default_value = "safe")]
    pub pattern: crate::init::Pattern,
    /// The `$schema` of the values file's modeline: a URL or a path relative to the file
    /// (default: the schema published with this version).
    #[arg(long, value_name = "URL|PATH")]
    pub schema: Option<String>,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Namespace the Rollout is released in (overrides `namespace:` in values, as for render);
    /// the printed commands carry it.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
    /// Language of the explanation: en (English) or ja (日本語).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: crate::explain::Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Text,
    Markdown,
}

/// `set-image [CHART|VALUES] TAG`.
#[derive(Debug, Args)]
pub struct SetImageArgs {
    /// `[CHART|VALUES] TAG`: the chart directory (default `.`) or values file, then the tag.
    #[arg(value_name = "ARGS", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    /// Set `image.repository` too.
    #[arg(long, value_name = "REPO")]
    pub repository: Option<String>,
    /// Print the change as a unified diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `set [CHART|VALUES] KEY=VALUE...`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// `[CHART|VALUES] KEY=VALUE...`: the chart directory (default `.`) or values file (the
    /// first argument, when it holds no `=`), then assignments in `--set` syntax.
    #[arg(value_name = "ARGS", num_args = 1.., required = true)]
    pub args: Vec<String>,
    /// Print the change as a unified diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files, directories (walked recursively), charts (rendered first), or `-` for standard
    /// input. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::report::Format,
    /// CRD files or directories (e.g. a vendored install.yaml) to validate custom resources
    /// against, replacing the built-in schemas of the kinds they define.
    #[arg(long, value_name = "PATH")]
    pub crds: Vec<PathBuf>,
    /// Fail on warnings too, and count a referenced object missing from the set as an error.
    #[arg(long)]
    pub strict: bool,
    /// The Argo Rollouts release to give verdicts for: 1.6, 1.7, 1.8, 1.9 or 1.10 (the main
    /// branch). Default: `rolloutsVersion` of the configuration, else 1.9, the newest release.
    #[arg(long, value_name = "VERSION")]
    pub rollouts_version: Option<crate::rules::RolloutsVersion>,
    /// Configuration file (default: the nearest .rollwright.yaml upwards).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings at or above this severity.
    #[arg(long, value_enum, default_value = "info")]
    pub severity: SeverityArg,
    /// Leave paths matching this glob out of directory walks (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip named files that hold no Kubernetes object instead of failing on them (for
    /// pre-commit, which passes every staged YAML file).
    #[arg(long)]
    pub skip_non_manifests: bool,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Which plain manifests form one application (references, duplicates and "not
    /// referenced" resolve inside it): the files of one directory, everything under one PATH,
    /// or the whole run. Default: `appScope` in the configuration, else directory.
    #[arg(long, value_enum, value_name = "SCOPE")]
    pub app_scope: Option<crate::input::AppScope>,
    /// Namespace of objects that name none (part of their identity; given to charts and to
    /// `helm template`). Default: `namespace` in the configuration.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// A values file laid over the named chart's values.yaml (repeatable, right-most wins).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set values of the named chart (KEY=VALUE[,KEY=VALUE]), typed as Helm types them.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Like --set, but every value is a string.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set a value of the named chart to a JSON value (KEY=JSON).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Follow symbolic links out of the walked tree, and to directories (by default a walk
    /// reads a link only when it leads to a regular file inside the tree).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Files larger than this are not read (bytes, or with K, M or G).
    #[arg(long, value_name = "SIZE", default_value = "64M",
          value_parser = crate::input::walk::parse_size)]
    pub max_file_size: u64,
    /// Run no external tool: kustomize roots are validated from their resources without
    /// building, Helm charts are skipped.
    #[arg(long)]
    pub no_tools: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    Error,
    Warning,
    Info,
}

impl SeverityArg {
    pub fn severity(self) -> crate::finding::Severity {
        match self {
            SeverityArg::Error => crate::finding::Severity::Error,
            SeverityArg::Warning => crate::finding::Severity::Warning,
            SeverityArg::Info => crate::finding::Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print the catalogue as a Markdown page (docs/rules.md is this output).
    #[arg(long)]
    pub markdown: bool,
}

/// Where values come from, with Helm's flags and precedence.
#[derive(Debug, Clone, Args)]
pub struct ValuesArgs {
    /// Chart directory holding values.yaml (and optionally chart-templates/), or a values file.
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    /// A values file laid over the chart's values.yaml; repeatable, right-most wins; `-` reads
    /// standard input.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set values on the command line (KEY=VALUE[,KEY=VALUE]), typed as Helm types them.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Like --set, but every value is a string.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set a value to a JSON value (KEY=JSON).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Application name (overrides `name:` in values; default: the chart directory's name).
    #[arg(long)]
    pub name: Option<String>,
}

impl ValuesArgs {
    pub fn input(&self) -> ValuesInput {
        ValuesInput {
            chart: self.chart.clone(),
            files: self.values.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_json: self.set_json.clone(),
            name: self.name.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Namespace written into every namespaced object (overrides `namespace:` in values).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Write one file per object (`<kind>-<name>.yaml`) into DIR instead of standard output.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Read values flags from Argo CD's plugin environment: ARGOCD_ENV_ROLLWRIGHT_SET (--set),
    /// ARGOCD_ENV_ROLLWRIGHT_SET_STRING (--set-string), ARGOCD_ENV_ROLLWRIGHT_VALUES (-f,
    /// comma-separated, relative to the chart), ARGOCD_ENV_IMAGE_TAG (image.tag). Flags on the
    /// command line win.
    #[arg(long)]
    pub argocd_env: bool,
}

#[derive(Debug, Args)]
pub struct ExportHelmArgs {
    /// Chart directory holding values.yaml, or a values file.
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    /// Directory to write the Helm chart into (created when missing).
    #[arg(long, value_name = "DIR")]
    pub output_dir: PathBuf,
    /// Application name (overrides `name:` in values; default: the chart directory's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Write into a non-empty directory that does not hold a previous export.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Per object a header and a unified diff of the normalised YAML.
    Unified,
    /// A pull-request comment: summary, impact, one <details> per object, within --max-bytes.
    Markdown,
    /// One JSON document: objects, change types, per-field changes by JSON pointer.
    Json,
}

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("against").required(true).args(["live", "base", "base_ref"])),
    mut_arg("chart", |a| a.value_name("INPUT").help(
        "The proposed state: a chart directory (rendered with the render flags), a values \
         file, or manifests (a file, a directory, `-` for standard input)"
    )),
)]
pub struct DiffArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Namespace of the proposed objects (written into a chart's objects; given to manifests
    /// without one) and, with --live, the namespace read (default: the context's).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Compare with the objects in the cluster.
    #[arg(long)]
    pub live: bool,
    /// Compare with BASE: a chart directory, a values file or manifests, rendered from its own
    /// files (-f and --set* apply to INPUT only; --name and -n to both sides).
    #[arg(long, value_name = "BASE")]
    pub base: Option<PathBuf>,
    /// Compare with INPUT (and its -f files) as they are at git REF, rendered with the same
    /// flags (e.g. origin/main).
    #[arg(long, value_name = "REF")]
    pub base_ref: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "unified")]
    pub format: DiffFormat,
    /// Lines of context around each change.
    #[arg(
        short = 'C',
        long = "context-lines",
        value_name = "N",
        default_value_t = 3
    )]
    pub context_lines: usize,
    /// Exit 2 when there are changes (0: none, 1: error).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Leave a field out of the comparison: `Kind[/name]:/json/pointer` (`*` for any kind or
    /// segment); repeatable, added to `diff.ignore` of the configuration.
    #[arg(long = "ignore", value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Show Secret values instead of markers that say only whether each changed.
    #[arg(long)]
    pub show_secrets: bool,
    /// Mark Secret values with an HMAC-SHA256 under the key in FILE (at least 16 bytes), stable
    /// between runs for one object, instead of only "changed" or not.
    #[arg(long, value_name = "FILE", conflicts_with = "show_secrets")]
    pub secret_key_file: Option<PathBuf>,
    /// Most bytes of Markdown output (GitHub refuses comments over 65,536).
    #[arg(long, value_name = "N", default_value_t = 65536,
          value_parser = clap::value_parser!(u64).range(2048..))]
    pub max_bytes: u64,
    /// Colour in unified output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Configuration file (default: the nearest .rollwright.yaml upwards).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// With --live: the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster).
    #[arg(long, value_name = "FILE", requires = "live")]
    pub kubeconfig: Option<PathBuf>,
    /// With --live: the kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME", requires = "live")]
    pub context: Option<String>,
    /// With --live: time to wait for each request (kubectl's format: 30s, 2m; 0 waits for ever).
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "30s",
        requires = "live"
    )]
    pub request_timeout: String,
    /// With --live: label selector of the release's objects; those in the cluster but not in
    /// the render are shown as removed.
    #[arg(short = 'l', long, value_name = "LABELS", requires = "live")]
    pub selector: Option<String>,
    /// With --live: ask the API server what it would store, by a server-side apply dry run of
    /// each object (PATCH with dryRun=All: nothing is written; needs the `patch` verb).
    #[arg(long, requires = "live")]
    pub server_side: bool,
    /// With --server-side: the field manager of the dry runs; name the one your deploys use
    /// (`kubectl`, `argocd-controller`, `helm`) so that removed fields show.
    #[arg(long, value_name = "NAME", requires = "server_side")]
    pub field_manager: Option<String>,
}
