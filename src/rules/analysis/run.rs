//! AR-*: what an AnalysisRun checks when it starts (`analysis/analysis.go`, `ValidateMetrics`) or
//! when it measures, reported on the templates and AnalysisRuns where the manifests decide it.

use super::*;

pub(super) const RUNTIME: &str = "the API server and the Rollout's checks accept this: it fails only when an AnalysisRun starts, which then ends in phase Error, and the Rollout that started it aborts the update";

/// The analysis objects the per-metric checks run on.
pub(super) fn analysis_objects<'a, 'c>(
    ctx: &'c Context<'a>,
) -> impl Iterator<Item = &'a Object> + 'c {
    ctx.of_kind(ARGO, TEMPLATE)
        .chain(ctx.of_kind(ARGO, CLUSTER_TEMPLATE))
        .chain(ctx.of_kind(ARGO, "AnalysisRun"))
}

/// How an object's field texts resolve: templates leave placeholders unknown; an AnalysisRun
/// resolves them with its args (a secret becomes `temp-for-secret`, as when the run checks).
pub(super) fn run_values(object: &Object) -> HashMap<String, Option<String>> {
    if object.id.kind != "AnalysisRun" {
        return HashMap::new();
    }
    template_args(object)
        .into_iter()
        .map(|a| {
            let v = if a.is_secret() {
                Some("temp-for-secret".to_owned())
            } else {
                a.value.clone()
            };
            (a.name.to_owned(), v)
        })
        .collect()
}

pub(super) fn with_resolver<R>(
    object: &Object,
    f: impl FnOnce(&dyn Fn(&str) -> Option<String>) -> R,
) -> R {
    if object.id.kind == "AnalysisRun" {
        let values = run_values(object);
        let resolve = |s: &str| substitute(s, |n| values.get(n).cloned().flatten());
        f(&resolve)
    } else {
        f(&literal)
    }
}

pub(super) fn metric_problems<'c, 'a>(
    ctx: &'c Context<'a>,
) -> &'c [(&'a Object, usize, metric::Invalid)] {
    ctx.analysis.metric_problems.get_or_init(|| {
        let mut out = Vec::new();
        for object in analysis_objects(ctx) {
            with_resolver(object, |resolve| {
                for (i, m) in metrics(object) {
                    out.extend(
                        validate_metric(m, resolve, ctx.version)
                            .into_iter()
                            .map(|x| (object, i, x)),
                    );
                }
            });
        }
        out
    })
}

pub(super) fn check_metric_rule(ctx: &Context<'_>, sink: &mut Sink<'_>, rule: &str, help: &str) {
    for (object, i, x) in metric_problems(ctx) {
        if x.rule != rule {
            continue;
        }
        sink.report(
            object,
            &format!("/spec/metrics/{i}/{}", x.field),
            format!("Analysis spec invalid: metrics[{i}]: {}", x.message),
        )
        .help(format!("{help}; {RUNTIME}"));
    }
}

macro_rules! metric_rule {
    ($stat:ident, $id:literal, $name:literal, $doc:literal, $help:literal) => {
        pub static $stat: Rule = Rule {
            id: $id,
            name: $name,
            severity: Severity::Error,
            doc: $doc,
            check: |ctx, sink| check_metric_rule(ctx, sink, $id, $help),
        };
    };
}

metric_rule!(
    AR_04,
    "AR-04",
    "metric-consecutive-success-limit-not-negative",
    "a metric's consecutiveSuccessLimit is not negative",
    "use 0 (disabled) or a positive number"
);
metric_rule!(
    AR_05,
    "AR-05",
    "metric-failure-limit-range",
    "a metric's failureLimit is at least -1",
    "use -1 (disabled, then consecutiveSuccessLimit must be set), 0 or a positive number"
);
metric_rule!(
    AR_06,
    "AR-06",
    "metric-limits-not-both-disabled",
    "a metric does not disable both failureLimit (-1) and consecutiveSuccessLimit (0, the default)",
    "with failureLimit -1 nothing could ever decide the metric: set consecutiveSuccessLimit, or a failureLimit of 0 or more"
);
metric_rule!(
    AR_07,
    "AR-07",
    "metric-inconclusive-limit-not-negative",
    "a metric's inconclusiveLimit is not negative",
    "use 0 or a positive number"
);
metric_rule!(
    AR_08,
    "AR-08",
    "metric-consecutive-error-limit-not-negative",
    "a metric's consecutiveErrorLimit is not negative",
    "use 0 or a positive number (the default is 4)"
);
metric_rule!(
    AR_09,
    "AR-09",
    "metric-count-covers-limits",
    "a metric's count is at least failureLimit + consecutiveSuccessLimit",
    "raise count, or lower failureLimit or consecutiveSuccessLimit"
);
metric_rule!(
    AR_10,
    "AR-10",
    "metric-count-covers-success-limit",
    "with failureLimit -1, a metric's count is at least consecutiveSuccessLimit",
    "raise count to at least consecutiveSuccessLimit"
);
metric_rule!(
    AR_11,
    "AR-11",
    "metric-count-covers-inconclusive-limit",
    "a metric's count is at least its inconclusiveLimit",
    "raise count or lower inconclusiveLimit"
);
metric_rule!(
    AR_12,
    "AR-12",
    "metric-interval-for-count",
    "a metric measured more than once (count > 1) has an interval",
    "add an `interval` (e.g. `1m`) between the measurements"
);
metric_rule!(
    AR_13,
    "AR-13",
    "metric-interval-duration",
    "a metric's interval is a Go duration",
    "write a Go duration with a unit: `30s`, `5m`, `1h30m`"
);
metric_rule!(
    AR_14,
    "AR-14",
    "metric-initial-delay-duration",
    "a metric's initialDelay is a Go duration",
    "write a Go duration with a unit: `30s`, `5m`, `1h30m`"
);
metric_rule!(
    AR_15,
    "AR-15",
    "metric-provider-required",
    "a metric has a provider Argo Rollouts knows",
    "set one provider under `provider:` (prometheus, web, job, datadog, newRelic, wavefront, kayenta, cloudWatch, graphite, influxdb, skywalking or one plugin); a misspelt provider key is dropped"
);
metric_rule!(
    AR_16,
    "AR-16",
    "metric-provider-single",
    "a metric has exactly one provider (each plugin entry counts)",
    "split the metric: one provider per metric"
);

pub static AR_20: Rule = Rule {
    id: "AR-20",
    name: "metric-provider-settings",
    severity: Severity::Error,
    doc: "provider settings the provider refuses when measuring: Prometheus address not a URL, negative timeout, half-set basic auth or OAuth2; web body with GET or with jsonBody",
    check: |ctx, sink| {
        for object in analysis_objects(ctx) {
            let found: Vec<(usize, String, metric::ProviderError)> =
                with_resolver(object, |resolve| {
                    metrics(object)
                        .flat_map(|(i, m)| {
                            provider_errors(m, resolve)
                                .into_iter()
                                .map(move |e| (i, metric_name(m).to_owned(), e))
                        })
                        .collect()
                });
            for (i, name, e) in found {
                sink.report(
                    object,
                    &format!("/spec/metrics/{i}{}", e.pointer),
                    format!("metric \"{name}\": {}", e.message),
                )
                .help(
                    "the API server and the Rollout's checks accept this, but the provider refuses it at every measurement: each ends in Error, and after consecutiveErrorLimit (default 4) more the metric and the AnalysisRun are Error and the Rollout aborts the update",
                );
            }
        }
    },
};

// AR-01, AR-02, AR-03, AR-17, AR-18 depend on which templates an AnalysisRun is built from.

/// The AnalysisRuns the set decides: one per complete Rollout analysis block, one per template
/// no Rollout analysis uses (with its nested templates), one per AnalysisRun object.
pub(super) struct Run<'a> {
    /// Where spec-level findings go.
    owner: &'a Object,
    pointer: String,
    /// The Rollout block, when the run comes from one.
    analysis: Option<Analysis<'a>>,
    /// The objects whose `spec.metrics`, `spec.dryRun` and `spec.measurementRetention` the
    /// run takes, in order.
    parts: Vec<&'a Object>,
    /// The run comes from a template on its own.
    standalone: bool,
}

pub(super) fn runs<'c, 'a>(ctx: &'c Context<'a>) -> &'c [Run<'a>] {
    ctx.analysis.runs.get_or_init(|| compute_runs(ctx))
}

pub(super) fn compute_runs<'a>(ctx: &Context<'a>) -> Vec<Run<'a>> {
    let mut out = Vec::new();
    let mut used: HashSet<*const Object> = HashSet::new();
    for a in analyses(ctx) {
        for r in &a.resolved.refs {
            if let Some(o) = r.object {
                used.insert(o as *const Object);
            }
        }
        // A block without templates starts no AnalysisRun.
        if a.resolved.complete && !a.block.templates.is_empty() {
            out.push(Run {
                owner: a.rollout,
                pointer: a.at(),
                parts: a.resolved.templates.clone(),
                analysis: Some(a.clone()),
                standalone: false,
            });
        }
    }
    let templates: Vec<&Object> = ctx
        .of_kind(ARGO, TEMPLATE)
        .chain(ctx.of_kind(ARGO, CLUSTER_TEMPLATE))
        .collect();
    for t in &templates {
        for r in refs::refs_of(t.value.lookup("/spec/templates"), "/spec/templates") {
            if let Some(o) = lookup(ctx, t, r.name, r.cluster_scope) {
                used.insert(o as *const Object);
            }
        }
    }
    for &t in &templates {
        if used.contains(&(t as *const Object)) {
            continue;
        }
        let this = Ref {
            name: &t.id.name,
            cluster_scope: t.id.kind == CLUSTER_TEMPLATE,
            pointer: String::new(),
        };
        let resolved = resolve(ctx, t, t, &[this], Site::Standalone);
        if resolved.complete
            && resolved
                .templates
                .first()
                .is_some_and(|f| std::ptr::eq(*f, t))
        {
            out.push(Run {
                owner: t,
                pointer: spec_pointer(t, "metrics"),
                parts: resolved.templates,
                analysis: None,
                standalone: true,
            });
        }
    }
    for run in ctx.of_kind(ARGO, "AnalysisRun") {
        out.push(Run {
            owner: run,
            pointer: spec_pointer(run, "metrics"),
            parts: vec![run],
            analysis: None,
            standalone: true,
        });
    }
    out
}

/// `/spec/<key>` when present, else `/spec`.
pub(super) fn spec_pointer(o: &Object, key: &str) -> String {
    if o.value.lookup(&format!("/spec/{key}")).is_some() {
        format!("/spec/{key}")
    } else {
        "/spec".into()
    }
}

impl Run<'_> {
    fn describe(&self) -> String {
        match &self.analysis {
            Some(a) => format!("the AnalysisRun of {}", a.describe()),
            None if self.owner.id.kind == "AnalysisRun" => "this AnalysisRun".into(),
            None => format!("an AnalysisRun of {} on its own", named(self.owner)),
        }
    }

    fn metrics(&self) -> impl Iterator<Item = (&Object, usize, &Value)> {
        self.parts
            .iter()
            .flat_map(|p| metrics(p).map(move |(i, m)| (*p, i, m)))
    }
}

pub static AR_01: Rule = Rule {
    id: "AR-01",
    name: "analysis-run-args-resolve",
    severity: Severity::Error,
    doc: "the args of an AnalysisRun resolve when it starts: no argument left without value (a template's valueFrom.fieldRef is never read) and, for background analysis and AnalysisRuns, every {{args.x}} names an argument",
    check: |ctx, sink| {
        for run in runs(ctx) {
            if run.metrics().next().is_none() {
                continue;
            }
            match &run.analysis {
                Some(a) => {
                    if dropped_by(&a.block).is_some() {
                        continue;
                    }
                    let passed: Vec<&str> = a.block.args.iter().map(|r| r.name).collect();
                    let (merged, _) = flatten(&run.parts);
                    for arg in &merged {
                        if passed.contains(&arg.name)
                            || arg.value.is_some()
                            || arg.is_secret()
                            || arg.value_from.is_none()
                        {
                            continue;
                        }
                        sink.report(
                            a.rollout,
                            &a.at(),
                            format!(
                                "Unable to resolve metric arguments: argument \"{}\" was not supplied",
                                arg.name
                            ),
                        )
                        .help(format!(
                            "argument '{}' of the templates of {} has a `valueFrom` but no `secretKeyRef`: an AnalysisRun resolves only secrets, a template's `fieldRef` is never read; pass '{}' in the Rollout's args instead; {RUNTIME}",
                            arg.name,
                            a.describe(),
                            arg.name
                        ));
                    }
                    if a.block.kind.is_background() {
                        let names: HashSet<&str> = merged.iter().map(|x| x.name).collect();
                        let mut seen = HashSet::new();
                        for (owner, i, m) in run.metrics() {
                            let text = metric_json(m);
                            let Resolution::Unresolved(tags) = resolution(&text, &names) else {
                                continue;
                            };
                            for tag in tags {
                                if seen.insert(tag.to_owned()) {
                                    sink.report(
                                        a.rollout,
                                        &a.at(),
                                        format!("Unable to resolve metric arguments: failed to resolve {{{{{tag}}}}}"),
                                    )
                                    .help(format!(
                                        "spec.metrics[{i}] of {} uses a placeholder no template of {} declares as an argument (background analysis skips this check at reconcile); {RUNTIME}",
                                        named(owner),
                                        a.describe()
                                    ));
                                }
                            }
                        }
                    }
                }
                None if run.owner.id.kind == "AnalysisRun" => {
                    let args = template_args(run.owner);
                    for arg in &args {
                        if arg.value.is_none() && !arg.is_secret() {
                            sink.report(
                                run.owner,
                                &format!("/spec/args/{}", arg.index),
                                format!(
                                    "Unable to resolve metric arguments: argument \"{}\" was not supplied",
                                    arg.name
                                ),
                            )
                            .help(format!("give argument '{}' a `value` (or a `valueFrom.secretKeyRef`); {RUNTIME}", arg.name));
                        }
                    }
                    let names: HashSet<&str> = args.iter().map(|x| x.name).collect();
                    for (_, i, m) in run.metrics() {
                        let text = metric_json(m);
                        if let Resolution::Unresolved(tags) = resolution(&text, &names) {
                            for tag in tags {
                                sink.report(
                                    run.owner,
                                    &format!("/spec/metrics/{i}"),
                                    format!("Unable to resolve metric arguments: failed to resolve {{{{{tag}}}}}"),
                                )
                                .help(format!("declare the argument in spec.args, or rewrite the text without `{{{{`; {RUNTIME}"));
                            }
                        }
                    }
                }
                None => {}
            }
        }
    },
};

pub static AR_02: Rule = Rule {
    id: "AR-02",
    name: "analysis-run-has-metrics",
    severity: Severity::Error,
    doc: "the templates an AnalysisRun is built from define at least one metric",
    check: |ctx, sink| {
        for run in runs(ctx) {
            if run.metrics().next().is_some() {
                continue;
            }
            let help = match &run.analysis {
                Some(a) => format!(
                    "no template of {} defines a metric: add `spec.metrics` to one",
                    a.describe()
                ),
                None => {
                    "add `spec.metrics`, or nest templates that have metrics in `spec.templates`"
                        .to_owned()
                }
            };
            sink.report(
                run.owner,
                &run.pointer,
                "Analysis spec invalid: no metrics specified",
            )
            .help(format!("{help}; {RUNTIME}"));
        }
    },
};

pub static AR_03: Rule = Rule {
    id: "AR-03",
    name: "analysis-run-metric-names-unique",
    severity: Severity::Error,
    doc: "a template (with its nested templates) or AnalysisRun not used by a Rollout does not define two metrics with the same name (for a Rollout's analysis, AT-01 reports it)",
    check: |ctx, sink| {
        for run in runs(ctx) {
            if !run.standalone {
                continue;
            }
            let mut seen = HashSet::new();
            for (k, (owner, i, m)) in run.metrics().enumerate() {
                let name = metric_name(m);
                if !seen.insert(name) {
                    sink.report(
                        owner,
                        &format!("/spec/metrics/{i}/name"),
                        format!("Analysis spec invalid: metrics[{k}]: duplicate name '{name}'"),
                    )
                    .help(format!(
                        "metric names of {} must be unique: rename one; {RUNTIME}",
                        run.describe()
                    ));
                }
            }
        }
    },
};

pub static AR_17: Rule = Rule {
    id: "AR-17",
    name: "analysis-dry-run-rules-match",
    severity: Severity::Error,
    doc: "each dryRun rule (a regular expression) matches a metric of the AnalysisRun",
    check: |ctx, sink| check_rules_match(ctx, sink, "dryRun"),
};

pub static AR_18: Rule = Rule {
    id: "AR-18",
    name: "analysis-measurement-retention-rules-match",
    severity: Severity::Error,
    doc: "each measurementRetention rule (a regular expression) matches a metric of the AnalysisRun",
    check: |ctx, sink| check_rules_match(ctx, sink, "measurementRetention"),
};

/// AR-17 / AR-18: the run's rules are the Rollout block's, then the templates'; each is a Go
/// regular expression matched (unanchored) against the metric names.
pub(super) fn check_rules_match(ctx: &Context<'_>, sink: &mut Sink<'_>, key: &str) {
    let mut reported: HashSet<(*const Object, String)> = HashSet::new();
    for run in runs(ctx) {
        let names: Vec<&str> = run.metrics().map(|(_, _, m)| metric_name(m)).collect();
        if names.iter().any(|n| n.contains("{{")) {
            continue;
        }
        let mut rules: Vec<(&Object, String, &str)> = Vec::new();
        if let Some(a) = &run.analysis {
            for (k, name) in rule_names(a.block.value.get(key)).into_iter().enumerate() {
                rules.push((a.rollout, format!("{}/{key}/{k}", a.block.pointer), name));
            }
        }
        for part in &run.parts {
            let list = rule_names(part.value.lookup(&format!("/spec/{key}")));
            for (k, name) in list.into_iter().enumerate() {
                rules.push((part, format!("/spec/{key}/{k}"), name));
            }
        }
        for (k, (owner, pointer, pattern)) in rules.into_iter().enumerate() {
            let Ok(re) = Regex::new(pattern) else {
                continue;
            };
            if names.iter().any(|n| re.is_match(n)) {
                continue;
            }
            if !reported.insert((owner as *const Object, pointer.clone())) {
                continue;
            }
            sink.report(
                owner,
                &format!("{pointer}/metricName"),
                format!("Analysis spec invalid: {key}[{k}]: Rule didn't match any metric name(s)"),
            )
            .help(format!(
                "`{pattern}` matches no metric of {} ({}); fix the pattern or drop the rule; {RUNTIME}",
                run.describe(),
                if names.is_empty() { "it has none".to_owned() } else { names.join(", ") }
            ));
        }
    }
}
