//! `rollwright diff`: the proposed objects against the cluster, a base, or a git ref.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Output;
use crate::cli::{ColorArg, DiffArgs, DiffFormat};
use crate::config::Config;
use crate::diff::base::{self, InputKind};
use crate::diff::live::{self, LiveOptions};
use crate::diff::normalize::IgnoreRule;
use crate::diff::normalize::secrets::SecretKey;
use crate::diff::{self, Options, Sides, json, markdown, unified};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::values::ValuesInput;

/// `diff:` in `.rollwright.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffConfig {
    /// Ignore rules, as `--ignore` takes them.
    #[serde(default)]
    ignore: Vec<String>,
}

fn ignores(args: &DiffArgs, config: &Config) -> Result<Vec<IgnoreRule>> {
    let mut rules = Vec::new();
    if let Some(value) = &config.diff {
        let at = || {
            config
                .path
                .as_deref()
                .map(|p| Location::file(p, None))
                .unwrap_or(Location::Flag("--config".into()))
        };
        let parsed: DiffConfig = serde_json::from_value(value.clone()).map_err(|e| {
            Error::one(
                Diagnostic::new(Some(at()), format!("`diff`: {e}")).with_help(
                    "`diff` takes `ignore:`, a list of `Kind[/name]:/json/pointer` rules",
                ),
            )
        })?;
        for text in &parsed.ignore {
            rules.push(IgnoreRule::parse(text, at())?);
        }
    }
    for text in &args.ignore {
        rules.push(IgnoreRule::parse(
            text,
            Location::Flag(format!("--ignore {text}")),
        )?);
    }
    Ok(rules)
}

/// The key of `--secret-key-file`.
fn secret_key(path: &Path) -> Result<SecretKey> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::io(path, &e))?;
    SecretKey::new(&bytes).map_err(|m| {
        Error::one(
            Diagnostic::new(Some(Location::file(path, None)), format!("--secret-key-file: {m}"))
                .with_help("write a random key into it: `openssl rand -hex 32 > FILE` (and keep it as secret as the Secrets)"),
        )
    })
}

/// Standard input read once into a file, when both sides would read it.
fn stdin_to_file(dir: &Path) -> Result<PathBuf> {
    let mut buf = Vec::new();
    std::io::stdin().read_to_end(&mut buf).map_err(|e| {
        Error::msg(
            format!("cannot read standard input: {e}"),
            "pipe UTF-8 YAML into `-`, or name the files instead",
        )
    })?;
    let path = dir.join("stdin-values.yaml");
    std::fs::write(&path, buf).map_err(|e| Diagnostic::write(&path, &e))?;
    Ok(path)
}

pub fn run(args: &DiffArgs) -> Result<Output> {
    let cwd = std::env::current_dir().map_err(|e| {
        Error::msg(
            format!("no working directory: {e}"),
            "run from a directory that exists",
        )
    })?;
    let config = Config::discover(args.config.as_deref(), &cwd)?;
    let options = Options {
        ignores: ignores(args, &config)?,
        show_secrets: args.show_secrets,
        live: args.live,
        server_side: args.server_side,
        secret_key: args
            .secret_key_file
            .as_deref()
            .map(secret_key)
            .transpose()?,
    };
    let request_timeout = live::parse_timeout(&args.request_timeout).map_err(|m| {
        Error::one(
            Diagnostic::new(Some(Location::Flag("--request-timeout".into())), m)
                .with_help("write a duration such as 30s, 2m, 500ms or 1h (0: no timeout)"),
        )
    })?;
    let ns = args.namespace.as_deref();
    let input = &args.values.chart;
    let mut values: ValuesInput = args.values.input();
    let scratch = tempfile::tempdir().map_err(|e| {
        Error::msg(
            format!("cannot create a temporary directory: {e}"),
            "check TMPDIR: it must name a writable directory with free space",
        )
    })?;
    if args.base_ref.is_some() && values.files.iter().any(|f| f == Path::new("-")) {
        let file = stdin_to_file(scratch.path())?;
        for f in values.files.iter_mut().filter(|f| *f == Path::new("-")) {
            *f = file.clone();
        }
    }
    let mut after = base::load(input, &values, ns)?;
    let mut notes = Vec::new();
    let mut conflicts = Vec::new();
    let (before, context, before_label) = if args.live {
        let live = live::fetch(
            &mut after,
            &LiveOptions {
                kubeconfig: args.kubeconfig.clone(),
                context: args.context.clone(),
                namespace: args.namespace.clone(),
                request_timeout,
                selector: args.selector.clone(),
                server_side: args.server_side,
                field_manager: args.field_manager.clone(),
            },
        )?;
        notes.extend(live.notes);
        if args.server_side {
            // What the API server would store stands for the proposed objects.
            after = live.stored;
            conflicts = live.conflicts;
        }
        (live.objects, live.context, "live".to_string())
    } else if let Some(base_path) = &args.base {
        // The base renders from its own values; the release's name and namespace are the
        // same on both sides.
        let name = match base::classify(base_path)? {
            InputKind::Chart => values.name.clone(),
            InputKind::Manifests => None,
        };
        let base_values = ValuesInput {
            name,
            ..ValuesInput::default()
        };
        (
            base::load(base_path, &base_values, ns)?,
            Vec::new(),
            "base".to_string(),
        )
    } else if let Some(git_ref) = &args.base_ref {
        let checkout = base::at_ref(git_ref, input, &values.files)?;
        notes.extend(checkout.notes.iter().cloned());
        let before = match &checkout.input {
            Some(path) => {
                let at_ref = ValuesInput {
                    files: checkout.files.clone(),
                    ..values.clone()
                };
                base::load(path, &at_ref, ns).map_err(|mut e| {
                    e.diagnostics.insert(
                        0,
                        Diagnostic::new(
                            Some(Location::Flag(format!("--base-ref {git_ref}"))),
                            format!("the base at {git_ref} does not render:"),
                        )
                        .with_help(
                            "the errors below are in the files as they are at that ref: fix them there, or diff against another ref",
                        ),
                    );
                    e
                })?
            }
            None => Vec::new(),
        };
        (before, Vec::new(), git_ref.clone())
    } else {
        unreachable!("clap requires one of --live, --base, --base-ref")
    };
    let report = diff::compare(
        Sides {
            before,
            after,
            context,
            conflicts,
            before_label,
            after_label: "proposed".into(),
        },
        &options,
    )?;
    let stdout = match args.format {
        DiffFormat::Unified => {
            let color = match args.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => {
                    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
                }
            };
            unified::write(&report, args.context_lines, color)?
        }
        DiffFormat::Markdown => {
            markdown::write(&report, args.context_lines, args.max_bytes as usize)?
        }
        DiffFormat::Json => json::write(&report),
    };
    let stderr: String = notes.iter().map(|n| format!("note: {n}\n")).collect();
    let code = if args.detailed_exitcode && report.has_changes() {
        2
    } else {
        0
    };
    Ok(Output {
        stdout,
        stderr,
        code,
    })
}
