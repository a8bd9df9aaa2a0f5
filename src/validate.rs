//! The validation pipeline: read inputs → check schemas → run the rules → positioned,
//! filtered, sorted findings.

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::Value;

use crate::config::Config;
use crate::error::Result;
use crate::input::{self, InputOptions};
use crate::report::{Finding, ObjectRef, Report, Severity, Summary};
use crate::rules::{self, Context, RolloutsVersion};
use crate::schema::Schemas;

/// The annotation that silences rules on one object: `rollwright.io/ignore: "BG-01,P-03"`.
pub const IGNORE_ANNOTATION: &str = "rollwright.io/ignore";

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub inputs: InputOptions,
    /// A referenced object absent from the set is an error, not a warning.
    pub strict: bool,
    /// CRD files or directories to validate custom resources against.
    pub crds: Vec<PathBuf>,
    pub config: Config,
    /// Findings below this severity are left out of the report.
    pub min_severity: Option<Severity>,
    /// The Argo Rollouts release whose verdicts to give (default: the configuration's, else
    /// the newest release).
    pub rollouts_version: Option<RolloutsVersion>,
    /// The process ends after this run: the parsed objects are left for the operating system
    /// to reclaim instead of being freed one by one (a tenth of a large run's time).
    pub exiting: bool,
}

/// Validates everything `options` names.
pub fn validate(options: &Options) -> Result<Report> {
    crate::parallel::install(|| validate_here(options))
}

fn validate_here(options: &Options) -> Result<Report> {
    let schemas = if options.crds.is_empty() {
        Schemas::builtin()
    } else {
        Schemas::with_crds(&options.crds)?
    };
    let mut input_options = options.inputs.clone();
    input_options
        .exclude
        .extend(options.config.exclude.iter().cloned());
    // A built-in kind's schema is compiled only to explain an object its typed read refuses.
    let mut inputs = input::read(&input_options);
    let schema_errors: Vec<_> = inputs
        .objects
        .par_iter()
        .map(|o| schemas.validate(o))
        .collect();
    let version = options
        .rollouts_version
        .or(options.config.rollouts_version)
        .unwrap_or_default();
    // Rules run per application: references, duplicates and "not referenced" resolve among
    // the objects one Argo CD Application would deploy. Many small applications run side by
    // side, each on one thread; one large one runs its rules in parallel.
    let raws: Vec<rules::Raw> = if inputs.applications.len() == 1 {
        let ctx = Context::new(&inputs.objects, &schema_errors, options.strict)
            .with_version(version)
            .with_schemas(&schemas);
        rules::run(&ctx)
    } else {
        inputs
            .applications
            .par_iter()
            .flat_map_iter(|app| {
                let range = app.objects.clone();
                let ctx = Context::new(
                    &inputs.objects[range.clone()],
                    &schema_errors[range.clone()],
                    options.strict,
                )
                .with_version(version)
                .with_schemas(&schemas);
                let mut out = Vec::new();
                for rule in rules::all() {
                    let mut sink = rules::Sink::new(rule, ctx.objects, &mut out);
                    (rule.check)(&ctx, &mut sink);
                }
                for raw in &mut out {
                    raw.object += range.start;
                }
                out
            })
            .collect()
    };

    let mut findings: Vec<Finding> = Vec::new();
    for raw in raws {
        let object = &inputs.objects[raw.object];
        let Some(severity) = options.config.severity(raw.rule, raw.severity) else {
            continue;
        };
        let (file, pos) = inputs.locate(raw.object, &raw.pointer);
        if options.min_severity.is_some_and(|min| severity < min)
            || options.config.ignored(raw.rule, file)
            || ignored_by_annotation(&object.value, raw.rule)
        {
            continue;
        }
        findings.push(Finding {
            rule: raw.rule.id,
            name: raw.rule.name,
            severity,
            message: raw.message,
            help: raw.help,
            file: file.to_owned(),
            line: pos.line.max(1),
            column: pos.column.max(1),
            path: rules::util::path(&raw.pointer),
            object: Some(ObjectRef {
                api_version: object.id.api_version.clone(),
                kind: object.id.kind.clone(),
                namespace: object.id.namespace.clone(),
                name: object.id.name.clone(),
            }),
        });
    }
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.rule, &b.message))
    });
    findings.dedup();

    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let objects = inputs.objects.len();
    let summary = Summary {
        files: inputs.files,
        objects,
        skipped_documents: inputs.skipped_documents,
        skipped_templates: inputs.skipped_templates,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        rollouts_version: version,
    };
    if options.exiting {
        std::mem::forget(std::mem::take(&mut inputs.objects));
    }
    Ok(Report {
        findings,
        summary,
        input_errors: inputs.errors,
        notes: inputs.notes,
        sources: inputs.sources,
        rules: crate::rules::catalogue(),
    })
}

fn ignored_by_annotation(object: &Value, rule: &rules::Rule) -> bool {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(IGNORE_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|list| {
            list.split(',')
                .map(str::trim)
                .any(|k| k.eq_ignore_ascii_case(rule.id) || k == rule.name)
        })
}

/// The exit code for a report: 2 for input errors, 1 for findings at or above `fail_at`,
/// else 0.
pub fn exit_code(report: &Report, fail_at: Severity) -> u8 {
    if !report.input_errors.is_empty() {
        2
    } else if report.findings.iter().any(|f| f.severity >= fail_at) {
        1
    } else {
        0
    }
}
