//! Analysis rules.
//!
//! * BGR-05, CR-04: the AnalysisTemplates a Rollout's analysis names exist
//!   (`rollout/controller.go getReferencedAnalysisTemplatesFromRef`).
//! * AT-01 … AT-08: what the controller checks on those templates at every reconcile
//!   (`validation_references.go ValidateAnalysisTemplatesWithType`, `utils/analysis/helpers.go`);
//!   a failure makes the Rollout InvalidSpec. Evaluated per analysis block over the templates
//!   of the block that are in the set; each problem is reported (the controller shows the
//!   first), with the controller's message.
//! * AR-01 … AR-20: what an AnalysisRun checks only when it starts (`analysis/analysis.go`,
//!   `ValidateMetrics`) or when it measures; a failure ends the run in phase Error and the
//!   Rollout aborts the update. Reported on the templates (and AnalysisRuns) where the
//!   manifests decide them.
//!
//! [`analysis_blocks`], [`resolve_block`], [`referenced_templates`] and [`all_references`] give
//! other families the Rollout's analysis references, resolved the controller's way.

mod args;
mod metric;
mod refs;
mod run;

use crate::rules::util::Lookup as _;
use run::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Value, json};

pub use args::{DUMMY_VALUE, TemplateArg, args_of, substitute, template_args};
pub use refs::{
    Block, BlockKind, CLUSTER_TEMPLATE, Ref, Resolved, RolloutArg, Site, TEMPLATE, TemplateRef,
    all_references, analysis_blocks, lookup, referenced_templates, resolve, resolve_block,
};

use super::util::{atoi, invalid, items};
use super::{ARGO, Context, Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;
use args::{Resolution, flatten, metric_json, resolution};
use metric::{literal, provider_errors, validate_metric};

pub const RULES: &[&Rule] = &[
    &BGR_05, &CR_04, &AT_01, &AT_02, &AT_03, &AT_04, &AT_05, &AT_06, &AT_07, &AT_08, &AR_01,
    &AR_02, &AR_03, &AR_04, &AR_05, &AR_06, &AR_07, &AR_08, &AR_09, &AR_10, &AR_11, &AR_12, &AR_13,
    &AR_14, &AR_15, &AR_16, &AR_17, &AR_18, &AR_20,
];

/// What the analysis rules share, worked out once per run (many rules walk the same
/// analysis blocks and AnalysisRuns).
#[derive(Default)]
pub(crate) struct Cache<'a> {
    analyses: OnceLock<Vec<Analysis<'a>>>,
    runs: OnceLock<Vec<Run<'a>>>,
    /// Every metric problem of every analysis object: (object, metric index, problem).
    metric_problems: OnceLock<Vec<(&'a Object, usize, metric::Invalid)>>,
}

/// One analysis block of one Rollout, with its templates.
#[derive(Clone)]
struct Analysis<'a> {
    rollout: &'a Object,
    block: Block<'a>,
    resolved: Resolved<'a>,
}

impl Analysis<'_> {
    /// `Invalid value: "templateNames: [a b]": <detail>` at the block's `templates`.
    fn merged(&self, detail: &str) -> String {
        invalid(
            &self.block.templates_path(),
            &json!(self.resolved.template_names()),
            detail,
        )
    }

    /// `Invalid value: "<template>": <detail>` at the block's `templates`.
    fn per_template(&self, template: &Object, detail: &str) -> String {
        invalid(
            &self.block.templates_path(),
            &json!(template.id.name),
            detail,
        )
    }

    fn at(&self) -> String {
        self.block.templates_pointer()
    }

    /// `the prePromotionAnalysis of Rollout 'shop'`.
    fn describe(&self) -> String {
        format!(
            "the {} of Rollout '{}'",
            self.block.kind.label(),
            self.rollout.id.name
        )
    }
}

fn analyses<'c, 'a>(ctx: &'c Context<'a>) -> &'c [Analysis<'a>] {
    ctx.analysis.analyses.get_or_init(|| compute_analyses(ctx))
}

fn compute_analyses<'a>(ctx: &Context<'a>) -> Vec<Analysis<'a>> {
    let mut out = Vec::new();
    for rollout in ctx.rollouts() {
        for block in analysis_blocks(rollout) {
            let resolved = resolve_block(ctx, rollout, &block);
            out.push(Analysis {
                rollout,
                block,
                resolved,
            });
        }
    }
    out
}

/// `AnalysisTemplate 'x'` / `ClusterAnalysisTemplate 'x'`.
fn named(o: &Object) -> String {
    format!("{} '{}'", o.id.kind, o.id.name)
}

fn metrics(o: &Object) -> impl Iterator<Item = (usize, &Value)> {
    items(o.value.lookup("/spec/metrics"))
}

fn metric_name(m: &Value) -> &str {
    m.get("name").and_then(Value::as_str).unwrap_or("")
}

// ---------------------------------------------------------------------------------------
// BGR-05, CR-04: the templates exist.

pub static BGR_05: Rule = Rule {
    id: "BGR-05",
    name: "bluegreen-analysis-templates-exist",
    severity: Severity::Error,
    doc: "the AnalysisTemplates and ClusterAnalysisTemplates of prePromotionAnalysis and postPromotionAnalysis exist, nested spec.templates included",
    check: |ctx, sink| check_templates_exist(ctx, sink, false),
};

pub static CR_04: Rule = Rule {
    id: "CR-04",
    name: "canary-analysis-templates-exist",
    severity: Severity::Error,
    doc: "the templates of canary analysis steps and background analysis exist, and background analysis gets every argument its templates leave without value",
    check: |ctx, sink| {
        check_templates_exist(ctx, sink, true);
        check_background_args(ctx, sink);
    },
};

fn check_templates_exist(ctx: &Context<'_>, sink: &mut Sink<'_>, canary: bool) {
    let mut nested_seen: HashSet<(*const Object, String)> = HashSet::new();
    for a in analyses(ctx) {
        if a.block.kind.is_canary() != canary {
            continue;
        }
        for r in &a.resolved.refs {
            if r.object.is_some() && !r.cycle {
                continue;
            }
            if r.nested && !nested_seen.insert((r.holder as *const Object, r.pointer.clone())) {
                continue;
            }
            let pointer = format!("{}/templateName", r.pointer);
            if r.cycle {
                sink.report(
                    r.holder,
                    &pointer,
                    format!(
                        "{} '{}' includes itself through spec.templates (named again by {})",
                        r.kind(),
                        r.name,
                        named(r.holder)
                    ),
                )
                .help(format!(
                    "the controller follows spec.templates recursively without a cycle check, so resolving {} never ends (its stack overflows): remove this reference",
                    a.describe()
                ));
                continue;
            }
            let path = if r.nested {
                "spec.templates".to_owned()
            } else {
                a.block.templates_path()
            };
            let message = invalid(
                &path,
                &json!(r.name),
                &format!("{} '{}' not found", r.kind(), r.name),
            );
            let help = missing_help(ctx, a, r);
            if r.name.is_empty() {
                sink.report(r.holder, &pointer, message).help(help);
            } else {
                sink.missing(ctx, r.holder, &pointer, message).help(help);
            }
        }
    }
}

fn missing_help(ctx: &Context<'_>, a: &Analysis<'_>, r: &TemplateRef<'_>) -> String {
    if r.name.is_empty() {
        return "set `templateName` to the name of an AnalysisTemplate".into();
    }
    let nesting = if r.nested {
        format!("{} nests it in spec.templates; ", named(r.holder))
    } else {
        String::new()
    };
    let other = if r.cluster_scope {
        ctx.find(ARGO, TEMPLATE, a.rollout, r.name).map(|_| {
            format!(
                "{nesting}an AnalysisTemplate '{}' exists: drop `clusterScope: true` to use it",
                r.name
            )
        })
    } else {
        ctx.find_cluster(ARGO, CLUSTER_TEMPLATE, r.name)
            .map(|_| format!("{nesting}a ClusterAnalysisTemplate '{}' exists: add `clusterScope: true` to use it", r.name))
    };
    let elsewhere = || {
        if r.cluster_scope {
            return None;
        }
        let found = ctx.of_kind(ARGO, TEMPLATE).find(|o| o.id.name == r.name)?;
        Some(format!(
            "{nesting}AnalysisTemplate '{}' is in namespace '{}', but the controller looks it up in the Rollout's namespace '{}': move it, or make it a ClusterAnalysisTemplate",
            r.name,
            found.id.namespace.as_deref().unwrap_or_default(),
            a.rollout.id.namespace.as_deref().unwrap_or_default()
        ))
    };
    // A typo is the likeliest cause when a template of the same kind has a near name.
    let typo = || {
        let kind = if r.cluster_scope {
            CLUSTER_TEMPLATE
        } else {
            TEMPLATE
        };
        let names = ctx
            .of_kind(ARGO, kind)
            .filter(|o| r.cluster_scope || o.id.namespace == a.rollout.id.namespace)
            .map(|o| o.id.name.as_str());
        let near = crate::error::did_you_mean(r.name, names)?;
        Some(format!(
            "{nesting}did you mean {} '{near}'? `templateName` must be the template's metadata.name exactly",
            r.kind()
        ))
    };
    other.or_else(elsewhere).or_else(typo).unwrap_or_else(|| {
        let place = if r.cluster_scope {
            "in the cluster".to_owned()
        } else {
            match &a.rollout.id.namespace {
                Some(ns) => format!("in namespace '{ns}'"),
                None => "in the Rollout's namespace".to_owned(),
            }
        };
        format!(
            "{nesting}create {} '{}' {place} (or add its file to the inputs): until it exists the controller marks Rollout '{}' InvalidSpec and the Rollout does not progress",
            r.kind(),
            r.name,
            a.rollout.id.name
        )
    })
}

/// Background analysis: a template argument without value must be named in
/// `canary.analysis.args` (`ValidateAnalysisTemplateWithType`). When the merged arguments
/// already leave it unresolved, AT-05 reports it (the controller stops there).
fn check_background_args(ctx: &Context<'_>, sink: &mut Sink<'_>) {
    for a in analyses(ctx) {
        if !a.block.kind.is_background() {
            continue;
        }
        let unresolved: HashSet<String> = unresolved_args(a)
            .into_iter()
            .flatten()
            .map(|(arg, _)| arg)
            .collect();
        let rollout_args = a.block.value.get("args").filter(|v| !v.is_null());
        for template in &a.resolved.templates {
            for arg in template_args(template) {
                if !arg.is_unset() || unresolved.contains(arg.name) {
                    continue;
                }
                let detail = match rollout_args {
                    None => "missing analysis arguments in rollout spec",
                    Some(_) if a.block.args.iter().any(|r| r.name == arg.name) => continue,
                    Some(_) => arg.name,
                };
                sink.report(a.rollout, &a.at(), a.per_template(template, detail))
                    .help(format!(
                        "{} declares argument '{}' without value: background analysis must pass it in `spec.strategy.canary.analysis.args`",
                        named(template),
                        arg.name
                    ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// AT-01 … AT-05: the templates of a block merged into one AnalysisRun.

pub static AT_01: Rule = Rule {
    id: "AT-01",
    name: "analysis-metric-names-unique",
    severity: Severity::Error,
    doc: "the templates of one analysis block do not define two metrics with the same name",
    check: |ctx, sink| {
        for a in analyses(ctx) {
            let mut owners: Vec<(&str, Vec<&Object>)> = Vec::new();
            for t in &a.resolved.templates {
                for (_, m) in metrics(t) {
                    let name = metric_name(m);
                    match owners.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, list)) => list.push(t),
                        None => owners.push((name, vec![t])),
                    }
                }
            }
            for (name, list) in owners.iter().filter(|(_, l)| l.len() > 1) {
                let who: Vec<String> = list.iter().map(|t| named(t)).collect();
                sink.report(
                    a.rollout,
                    &a.at(),
                    a.merged(&format!("two metrics have the same name '{name}'")),
                )
                .help(format!(
                    "metric '{name}' is defined by {}: the templates of one analysis become one AnalysisRun, whose metric names must be unique; rename one",
                    who.join(" and ")
                ));
            }
        }
    },
};

pub static AT_02: Rule = Rule {
    id: "AT-02",
    name: "analysis-args-agree",
    severity: Severity::Error,
    doc: "the templates of one analysis block do not give one argument two different values",
    check: |ctx, sink| {
        for a in analyses(ctx) {
            for c in flatten(&a.resolved.templates).1 {
                sink.report(
                    a.rollout,
                    &a.at(),
                    a.merged(&format!(
                        "Argument `{}` specified multiple times with different values: '{}', '{}'",
                        c.name, c.first, c.second
                    )),
                )
                .help(format!(
                    "the templates of one analysis share arguments by name: keep the value of '{}' in one template only (an argument without value takes it), or rename the argument in one of them",
                    c.name
                ));
            }
        }
    },
};

pub static AT_03: Rule = Rule {
    id: "AT-03",
    name: "analysis-dry-run-rules-unique",
    severity: Severity::Error,
    doc: "the dryRun rules of the templates of one analysis block (canary: and of each analysis step) name each metric once",
    check: |ctx, sink| check_rule_duplicates(ctx, sink, "dryRun", "Dry-Run"),
};

pub static AT_04: Rule = Rule {
    id: "AT-04",
    name: "analysis-measurement-retention-rules-unique",
    severity: Severity::Error,
    doc: "the measurementRetention rules of the templates of one analysis block (canary: and of each analysis step) name each metric once",
    check: |ctx, sink| {
        check_rule_duplicates(ctx, sink, "measurementRetention", "Measurement Retention")
    },
};

/// The `metricName`s of a `dryRun` / `measurementRetention` list.
fn rule_names(list: Option<&Value>) -> Vec<&str> {
    items(list)
        .map(|(_, r)| r.get("metricName").and_then(Value::as_str).unwrap_or(""))
        .collect()
}

/// AT-03 / AT-04. The templates' rules merged must be unique; for canary, the controller
/// also merges every analysis step's own rules with each block's template rules.
fn check_rule_duplicates(ctx: &Context<'_>, sink: &mut Sink<'_>, key: &str, label: &str) {
    for a in analyses(ctx) {
        let templated: Vec<&str> = a
            .resolved
            .templates
            .iter()
            .flat_map(|t| rule_names(t.value.lookup(&format!("/spec/{key}"))))
            .collect();
        let mut reported: HashSet<&str> = HashSet::new();
        let message = |n: &str| {
            a.merged(&format!(
                "two {label} metric rules have the same name '{n}'"
            ))
        };
        for n in duplicates(&templated) {
            reported.insert(n);
            sink.report(a.rollout, &a.at(), message(n)).help(format!(
                "two templates of {} both have a `{key}` rule for '{n}': keep it in one",
                a.describe()
            ));
        }
        if !a.block.kind.is_canary() {
            continue;
        }
        for (j, step) in items(a.rollout.value.lookup("/spec/strategy/canary/steps")) {
            let Some(analysis) = step.get("analysis").filter(|v| !v.is_null()) else {
                continue;
            };
            let own: Vec<&str> = rule_names(analysis.get(key));
            let this_step = a.block.kind == BlockKind::Step(j);
            let mut names: Vec<&str> = Vec::new();
            if this_step {
                names.extend(duplicates(&own));
            }
            names.extend(own.iter().filter(|n| templated.contains(n)));
            for n in names {
                if !reported.insert(n) {
                    continue;
                }
                let help = if this_step {
                    format!(
                        "steps[{j}].analysis.{key} names '{n}' twice or a template of this step has a rule for it too: keep one"
                    )
                } else {
                    format!(
                        "the controller checks every analysis step's `{key}` against the templates of every analysis of the Rollout: steps[{j}].analysis.{key} names '{n}', which a template of {} has a rule for too; keep one",
                        a.describe()
                    )
                };
                sink.report(a.rollout, &a.at(), message(n)).help(help);
            }
        }
    }
}

/// The names that occur more than once, each once, in order.
fn duplicates<'s>(names: &[&'s str]) -> Vec<&'s str> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for n in names {
        if !seen.insert(*n) && !out.contains(n) {
            out.push(*n);
        }
    }
    out
}

pub static AT_05: Rule = Rule {
    id: "AT-05",
    name: "analysis-args-resolved",
    severity: Severity::Error,
    doc: "every template argument without value or valueFrom is passed by the Rollout's analysis args",
    check: |ctx, sink| {
        for a in analyses(ctx) {
            let Some(unresolved) = unresolved_args(a) else {
                continue;
            };
            let dropped = dropped_by(&a.block);
            for (name, owner) in unresolved {
                let help = match dropped {
                    Some(path) => format!(
                        "args.{name} is passed, but `fieldPath: {path}` cannot be read from a Rollout, so the controller drops all the args of {}: use metadata.name, metadata.namespace, metadata.uid, metadata.labels['key'] or metadata.annotations['key']",
                        a.describe()
                    ),
                    None => format!(
                        "{owner} declares argument '{name}' without value: pass it in the args of {} (`- name: {name}` with `value:` or `valueFrom:`), or give it a default `value` in the template",
                        a.describe()
                    ),
                };
                sink.report(
                    a.rollout,
                    &a.at(),
                    a.merged(&format!("args.{name} was not resolved")),
                )
                .help(help);
            }
        }
    },
};

/// The merged arguments of a block that stay without value (`MergeArgs`), with the template
/// that declares each; `None` when a template of the block is missing (it might supply them).
fn unresolved_args(a: &Analysis<'_>) -> Option<Vec<(String, String)>> {
    if !a.resolved.complete {
        return None;
    }
    let passed: Vec<&str> = if dropped_by(&a.block).is_some() {
        Vec::new()
    } else {
        a.block.args.iter().map(|r| r.name).collect()
    };
    let (merged, _) = flatten(&a.resolved.templates);
    let owner = |name: &str| {
        a.resolved
            .templates
            .iter()
            .find(|t| template_args(t).iter().any(|x| x.name == name))
            .map(|t| named(t))
            .unwrap_or_default()
    };
    Some(
        merged
            .iter()
            .filter(|arg| arg.is_unset() && !passed.contains(&arg.name))
            .map(|arg| (arg.name.to_owned(), owner(arg.name)))
            .collect(),
    )
}

/// A Rollout arg whose `valueFrom.fieldRef.fieldPath` starts with `metadata` but cannot be
/// read makes `BuildArgumentsForRolloutAnalysisRun` fail, and the validation then continues
/// with no Rollout args at all. The offending path.
fn dropped_by<'a>(block: &Block<'a>) -> Option<&'a str> {
    block.args.iter().find_map(|arg| {
        let path = arg
            .value
            .lookup("/valueFrom/fieldRef/fieldPath")
            .and_then(Value::as_str)?;
        let pod_hash = arg
            .value
            .lookup("/valueFrom/podTemplateHashValue")
            .is_some_and(|v| !v.is_null());
        (!pod_hash && path.starts_with("metadata") && !metadata_path_ok(path)).then_some(path)
    })
}

/// `fieldpath.ExtractFieldPathAsString` accepts the path.
fn metadata_path_ok(path: &str) -> bool {
    if let Some(inner) = path.strip_suffix("']")
        && let Some((base, key)) = inner.split_once("['")
        && !base.is_empty()
    {
        return match base {
            "metadata.annotations" => qualified_name(&key.to_lowercase()),
            "metadata.labels" => qualified_name(key),
            _ => false,
        };
    }
    matches!(
        path,
        "metadata.annotations"
            | "metadata.labels"
            | "metadata.name"
            | "metadata.namespace"
            | "metadata.uid"
    )
}

/// `validation.IsQualifiedName`: `[prefix/]name`, name at most 63 characters of
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric; prefix a DNS subdomain.
fn qualified_name(s: &str) -> bool {
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.len() <= 63
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && n.as_bytes()[0].is_ascii_alphanumeric()
            && n.as_bytes()[n.len() - 1].is_ascii_alphanumeric()
    };
    match s.split('/').collect::<Vec<_>>()[..] {
        [name] => name_ok(name),
        [prefix, name] => {
            name_ok(name)
                && !prefix.is_empty()
                && prefix.len() <= 253
                && prefix.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                })
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// AT-06 … AT-08: each template of a pre/post-promotion or step analysis on its own, with
// `dummy-value` for arguments without value.

pub static AT_06: Rule = Rule {
    id: "AT-06",
    name: "analysis-arg-value-or-value-from",
    severity: Severity::Error,
    doc: "a template argument does not set both value and valueFrom (not checked for background analysis)",
    check: |ctx, sink| {
        each_foreground_template(ctx, |a, template| {
            for arg in template_args(template) {
                if arg.value.is_some() && arg.value_from.is_some() {
                    sink.report(
                        a.rollout,
                        &a.at(),
                        a.per_template(
                            template,
                            &format!(
                                "AnalysisTemplate {}: arg '{}' has both Value and ValueFrom fields",
                                template.id.name, arg.name
                            ),
                        ),
                    )
                    .help(format!(
                        "argument '{}' of {} (spec.args[{}]): keep either `value` or `valueFrom`",
                        arg.name,
                        named(template),
                        arg.index
                    ));
                }
            }
        });
    },
};

pub static AT_07: Rule = Rule {
    id: "AT-07",
    name: "analysis-placeholders-declared",
    severity: Severity::Error,
    doc: "every {{…}} in a template's metrics names an argument declared in that template's spec.args (not checked for background analysis)",
    check: |ctx, sink| {
        each_foreground_template(ctx, |a, template| {
            let args = template_args(template);
            let names: HashSet<&str> = args.iter().map(|x| x.name).collect();
            let mut seen: HashSet<String> = HashSet::new();
            for (i, m) in metrics(template) {
                let text = metric_json(m);
                let (detail, help) = match resolution(&text, &names) {
                    Resolution::Resolved => continue,
                    Resolution::Unclosed(rest) => (
                        format!(
                            "AnalysisTemplate {}: cannot find end tag=\"}}}}\" in metric '{}' starting from {}",
                            template.id.name,
                            metric_name(m),
                            serde_json::to_string(rest).unwrap_or_default()
                        ),
                        format!(
                            "spec.metrics[{i}] of {} has a `{{{{` that no `}}}}` closes: every `{{{{` in a metric starts an argument placeholder",
                            named(template)
                        ),
                    ),
                    Resolution::Unresolved(tags) => {
                        for tag in tags {
                            if !seen.insert(tag.to_owned()) {
                                continue;
                            }
                            let hint = match args::tag_arg(tag) {
                                Some(arg) => format!(
                                    "declare `- name: {arg}` in the spec.args of {} (a Rollout's args only fill arguments the template declares)",
                                    named(template)
                                ),
                                None => "every `{{…}}` in a metric is read as an argument placeholder, also in queries and commands: rewrite it without `{{`, or make it an argument".to_owned(),
                            };
                            sink.report(
                                a.rollout,
                                &a.at(),
                                a.per_template(
                                    template,
                                    &format!(
                                        "AnalysisTemplate {}: failed to resolve {{{{{tag}}}}}",
                                        template.id.name
                                    ),
                                ),
                            )
                            .help(format!(
                                "spec.metrics[{i}] ('{}') of {}: {hint}",
                                metric_name(m),
                                named(template)
                            ));
                        }
                        continue;
                    }
                };
                if seen.insert(detail.clone()) {
                    sink.report(a.rollout, &a.at(), a.per_template(template, &detail))
                        .help(help);
                }
            }
        });
    },
};

pub static AT_08: Rule = Rule {
    id: "AT-08",
    name: "analysis-metric-finite",
    severity: Severity::Error,
    doc: "a metric of a pre/post-promotion or step analysis with an interval has a count (after dummy-value substitution), so it does not run indefinitely",
    check: |ctx, sink| {
        each_foreground_template(ctx, |a, template| {
            let args = template_args(template);
            let value = |name: &str| {
                args.iter()
                    .find(|x| x.name == name)
                    .map(|x| x.value.clone().unwrap_or_else(|| DUMMY_VALUE.to_owned()))
            };
            for (i, m) in metrics(template) {
                let count = match m.get("count") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => match substitute(s, value) {
                        Some(s) => Some(s),
                        None => continue,
                    },
                    Some(other) => Some(other.to_string()),
                };
                let interval = match m.get("interval") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => match substitute(s, value) {
                        Some(s) => s,
                        None => continue,
                    },
                    Some(other) => other.to_string(),
                };
                let zero = count.as_deref().is_none_or(|c| atoi(c).unwrap_or(0) == 0);
                if !zero || interval.is_empty() {
                    continue;
                }
                let shown = count.clone().unwrap_or_else(|| "<nil>".into());
                let why = match (m.get("count"), count.as_deref()) {
                    (None | Some(Value::Null), _) => {
                        "it has an `interval` and no `count`".to_owned()
                    }
                    (Some(Value::String(raw)), Some(c)) if raw.contains("{{") => format!(
                        "its count `{raw}` becomes `{c}` when the controller checks it (an argument without a default value is replaced by `dummy-value`), which counts as 0"
                    ),
                    _ => format!("its count `{shown}` counts as 0"),
                };
                sink.report(
                    a.rollout,
                    &a.at(),
                    a.per_template(
                        template,
                        &format!(
                            "AnalysisTemplate {} has metric {} which runs indefinitely. Invalid value for count: {shown}",
                            template.id.name,
                            metric_name(m)
                        ),
                    ),
                )
                .help(format!(
                    "spec.metrics[{i}] of {}: {why}; {} waits for the analysis to finish, so set `count` to a number (a templated count needs a numeric default value in the template)",
                    named(template),
                    a.describe()
                ));
            }
        });
    },
};

/// Calls `f` for each template of each non-background block (the per-template checks skip
/// background analysis).
fn each_foreground_template<'a>(ctx: &Context<'a>, mut f: impl FnMut(&Analysis<'a>, &'a Object)) {
    for a in analyses(ctx) {
        if a.block.kind.is_background() {
            continue;
        }
        for &t in &a.resolved.templates {
            f(a, t);
        }
    }
}

#[cfg(test)]
mod tests;
