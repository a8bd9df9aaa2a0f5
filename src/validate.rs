//! The validation pipeline: read inputs → check schemas → run the rules → positioned,
//! filtered, sorted findings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use crate::config::Config;
use crate::error::Result;
use crate::input::{self, Application, InputOptions, Inputs};
use crate::parallel;
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
    let schemas = if options.crds.is_empty() {
        Schemas::builtin()
    } else {
        Schemas::with_crds(&options.crds)?
    };
    let mut input_options = options.inputs.clone();
    input_options
        .exclude
        .extend(options.config.exclude.iter().cloned());
    let version = options
        .rollouts_version
        .or(options.config.rollouts_version)
        .unwrap_or_default();
    // One application at a time: each group of applications is read, checked, reported and
    // dropped before the thread takes the next, so memory follows the largest application. A
    // built-in kind's schema is compiled only to explain an object its typed read refuses.
    let streamed = input::read_each(&input_options, |inputs, only| {
        check(inputs, only, &schemas, options, version)
    });

    // Applications in the order they were met and each one's findings in the rules' order:
    // the order findings equal under the sort below keep, whatever the threads did.
    let mut applications: Vec<(usize, Vec<Finding>)> = Vec::new();
    let mut sources = BTreeMap::new();
    for group in streamed.results {
        applications.extend(group.applications);
        sources.extend(group.sources);
    }
    applications.sort_by_key(|(first_unit, _)| *first_unit);
    let mut findings: Vec<Finding> = applications.into_iter().flat_map(|(_, f)| f).collect();
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.rule, &b.message))
    });
    findings.dedup();

    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let summary = Summary {
        files: streamed.files,
        objects: streamed.objects,
        skipped_documents: streamed.skipped_documents,
        skipped_templates: streamed.skipped_templates,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        rollouts_version: version,
    };
    Ok(Report {
        findings,
        summary,
        input_errors: streamed.errors,
        notes: streamed.notes,
        sources,
        rules: crate::rules::catalogue(),
    })
}

/// What one group of applications left once checked: each application's findings (with the
/// unit it was first met in) and the text of the files those findings point into.
struct Checked {
    applications: Vec<(usize, Vec<Finding>)>,
    sources: Vec<(String, String)>,
}

/// Checks one group of applications read (the run's `only` one, or one of many) and drops
/// its objects: schemas, then the rules per application, then positioned, filtered findings.
fn check(
    mut inputs: Inputs,
    only: bool,
    schemas: &Schemas,
    options: &Options,
    version: RolloutsVersion,
) -> Checked {
    // The schema check is one call per object. The run's only group spreads its objects over
    // the threads when it has enough of them; many groups already keep every thread busy.
    let spread = if only { parallel::OBJECTS } else { usize::MAX };
    let schema_errors = parallel::map(&inputs.objects, spread, |o| schemas.validate(o));
    // Rules run per application: references, duplicates and "not referenced" resolve among
    // the objects one Argo CD Application would deploy. Many small applications run side by
    // side, each on one thread; one large one runs its rules in parallel.
    let run_app = |app: &Application| -> (usize, Vec<rules::Raw>) {
        let range = app.objects.clone();
        let ctx = Context::new(
            &inputs.objects[range.clone()],
            &schema_errors[range.clone()],
            options.strict,
        )
        .with_version(version)
        .with_schemas(schemas);
        let spread = if only && inputs.applications.len() == 1 {
            parallel::OBJECTS
        } else {
            usize::MAX
        };
        let mut out = rules::run(&ctx, spread);
        for raw in &mut out {
            raw.object += range.start;
        }
        (app.first_unit, out)
    };
    let raws = parallel::map(
        &inputs.applications,
        if only { 2 } else { usize::MAX },
        run_app,
    );

    let mut applications = Vec::with_capacity(raws.len());
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for (first_unit, raws) in raws {
        let mut findings = Vec::new();
        for raw in raws {
            if let Some(f) = finding(&inputs, raw, options) {
                wanted.insert(f.file.clone());
                findings.push(f);
            }
        }
        applications.push((first_unit, findings));
    }
    // Only a file a finding points into keeps its text, for the report's source lines.
    let sources = wanted
        .into_iter()
        .filter_map(|file| inputs.sources.remove(&file).map(|text| (file, text)))
        .collect();
    if options.exiting && only {
        // Nothing else is read after the run's only group.
        std::mem::forget(std::mem::take(&mut inputs.objects));
    }
    Checked {
        applications,
        sources,
    }
}

/// A rule's finding, positioned; `None` when the configuration, the minimum severity or the
/// object's ignore annotation leaves it out.
fn finding(inputs: &Inputs, raw: rules::Raw, options: &Options) -> Option<Finding> {
    let object = &inputs.objects[raw.object];
    let severity = options.config.severity(raw.rule, raw.severity)?;
    let (file, pos) = inputs.locate(raw.object, &raw.pointer);
    if options.min_severity.is_some_and(|min| severity < min)
        || options.config.ignored(raw.rule, file)
        || ignored_by_annotation(&object.value, raw.rule)
    {
        return None;
    }
    Some(Finding {
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
