//! Canary steps: one kind per step, setWeight, pause, setCanaryScale, experiment weights and
//! analysis arguments (C-13 … C-17, C-25 … C-27).

use super::*;

pub static C_13: Rule = Rule {
    id: "C-13",
    name: "one-step-kind",
    severity: Severity::Error,
    doc: "a canary step sets at most one of setWeight, pause, experiment and analysis",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                let [w, p, e, a] = ["setWeight", "pause", "experiment", "analysis"]
                    .map(|k| set(step, k).is_some());
                if [w, p, e, a].iter().filter(|x| **x).count() > 1 {
                    let value = format!(
                        "step.Experiment: {e} step.Pause: {p} step.SetWeight: {w} step.Analysis: {a}"
                    );
                    sink.report(
                        rollout,
                        &step_ptr(i),
                        invalid(
                            &format!("spec.strategy.steps[{i}]"),
                            &json!(value),
                            invalid_step(ctx.version),
                        ),
                    )
                    .help("split the step: each step does one thing, and the steps run in order");
                }
            }
        })
    },
};

/// The step kinds `ValidateRolloutStrategyCanary` knows.
pub(super) const STEP_KINDS: [&str; 8] = [
    "experiment",
    "pause",
    "setWeight",
    "analysis",
    "setCanaryScale",
    "setHeaderRoute",
    "setMirrorRoute",
    "plugin",
];

pub static C_14: Rule = Rule {
    id: "C-14",
    name: "step-kind-required",
    severity: Severity::Error,
    doc: "a canary step must set one of experiment, pause, setWeight, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute, plugin",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            // A plugin step came in 1.8: before, `plugin` is an unknown field, dropped.
            let plugins = ctx.version >= V1_8;
            for (i, step) in steps(canary) {
                if STEP_KINDS
                    .iter()
                    .filter(|k| plugins || **k != "plugin")
                    .all(|k| set(step, k).is_none())
                {
                    let value = if plugins {
                        "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true step.Plugin: true"
                    } else {
                        "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true"
                    };
                    sink.report(
                        rollout,
                        &step_ptr(i),
                        invalid(
                            &format!("spec.strategy.steps[{i}]"),
                            &json!(value),
                            invalid_step(ctx.version),
                        ),
                    )
                    .help("give the step one of setWeight, pause, experiment, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute or plugin (check the spelling)");
                }
            }
        })
    },
};

/// `InvalidStepMessage` of the release.
pub(super) fn invalid_step(version: RolloutsVersion) -> &'static str {
    if version < V1_8 {
        "Step must have one of the following set: experiment, setWeight, setCanaryScale or pause"
    } else {
        INVALID_STEP
    }
}

/// `weightutil.MaxTrafficWeight`: `trafficRouting.maxTrafficWeight`, default 100.
pub(super) fn max_traffic_weight(canary: &Value) -> i64 {
    routing(canary)
        .and_then(|tr| set(tr, "maxTrafficWeight"))
        .and_then(Value::as_i64)
        .unwrap_or(100)
}

pub static C_15: Rule = Rule {
    id: "C-15",
    name: "set-weight-range",
    severity: Severity::Error,
    doc: "setWeight must be between 0 and maxTrafficWeight (default 100)",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            // Before 1.7 the bound is 100 (maxTrafficWeight does not exist).
            let max = if ctx.version < V1_7 {
                100
            } else {
                max_traffic_weight(canary)
            };
            for (i, step) in steps(canary) {
                let Some(weight) = set(step, "setWeight").and_then(Value::as_i64) else {
                    continue;
                };
                if !(0..=max).contains(&weight) {
                    sink.report(
                        rollout,
                        &format!("{}/setWeight", step_ptr(i)),
                        invalid(
                            &format!("spec.strategy.steps[{i}].setWeight"),
                            &json!(weight),
                            &format!("SetWeight needs to be between 0 and {max}"),
                        ),
                    )
                    .help(format!("use a weight from 0 to {max} (the percentage of traffic, or of replicas without traffic routing)"));
                }
            }
        })
    },
};

pub static C_16: Rule = Rule {
    id: "C-16",
    name: "pause-duration-non-negative",
    severity: Severity::Error,
    doc: "pause.duration must not be negative (a string that is neither an integer nor a Go duration counts as -1)",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                let Some(pause) = set(step, "pause") else {
                    continue;
                };
                let seconds = pause_seconds(pause.get("duration"));
                if seconds < 0 {
                    sink.report(
                        rollout,
                        &key_or(&format!("{}/pause", step_ptr(i)), pause, "duration"),
                        invalid(
                            &format!("spec.strategy.steps[{i}].pause.duration"),
                            &json!(seconds),
                            INVALID_DURATION,
                        ),
                    )
                    .help("write seconds (`30`) or a Go duration (`30s`, `5m`, `1h`); leave the duration out to pause until promoted");
                }
            }
        })
    },
};

pub static C_17: Rule = Rule {
    id: "C-17",
    name: "set-canary-scale-needs-routing",
    severity: Severity::Error,
    doc: "a setCanaryScale step requires trafficRouting",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if routing(canary).is_some() {
                return;
            }
            for (i, step) in steps(canary) {
                if set(step, "setCanaryScale").is_some() {
                    sink.report(
                        rollout,
                        &format!("{}/setCanaryScale", step_ptr(i)),
                        required("spec.strategy.trafficRouting", SET_CANARY_SCALE),
                    )
                    .help("configure trafficRouting, or use setWeight: without a traffic router the weight is the share of replicas");
                }
            }
        })
    },
};

/// C-25 / C-26: the weight of the templates of experiment steps.
pub(super) fn experiment_weights(
    sink: &mut Sink<'_>,
    rollout: &Object,
    canary: &Value,
    detail: &str,
    help: &str,
) {
    for (i, step) in steps(canary) {
        let Some(experiment) = set(step, "experiment") else {
            continue;
        };
        for (k, template) in items(experiment.get("templates")) {
            if let Some(weight) = set(template, "weight") {
                sink.report(
                    rollout,
                    &format!("{}/experiment/templates/{k}/weight", step_ptr(i)),
                    invalid(
                        &format!("spec.strategy.steps[{i}].experiment.templates[{k}].weight"),
                        weight,
                        detail,
                    ),
                )
                .help(help);
            }
        }
    }
}

pub static C_25: Rule = Rule {
    id: "C-25",
    name: "experiment-weight-needs-routing",
    severity: Severity::Error,
    doc: "an experiment template weight requires trafficRouting",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if routing(canary).is_none() {
                experiment_weights(
                    sink,
                    rollout,
                    canary,
                    WEIGHT_WITHOUT_ROUTING,
                    "remove the weight (the experiment then gets no traffic share), or configure trafficRouting",
                );
            }
        })
    },
};

pub static C_26: Rule = Rule {
    id: "C-26",
    name: "experiment-weight-router",
    severity: Severity::Error,
    doc: "an experiment template weight is only supported with the SMI, ALB and Istio routers and plugins",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            let plugins = ctx.version >= V1_8;
            if ["alb", "smi", "istio"].iter().all(|k| set(tr, k).is_none())
                && !(plugins && has_plugins(tr))
            {
                experiment_weights(
                    sink,
                    rollout,
                    canary,
                    if plugins {
                        WEIGHT_ROUTERS
                    } else {
                        "Experiment template weight is only available for TrafficRouting with SMI, ALB, and Istio at this time"
                    },
                    "remove the weight: this traffic router cannot send traffic to experiment pods",
                );
            }
        })
    },
};

pub static C_27: Rule = Rule {
    id: "C-27",
    name: "analysis-args-field-ref",
    severity: Severity::Error,
    doc: "fieldRef.fieldPath of canary step analysis arguments must be metadata the downward API supports",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                // The arguments of the experiment's analyses, then of the analysis step.
                let mut args: Vec<(String, &Value)> = Vec::new();
                if let Some(experiment) = set(step, "experiment") {
                    for (a, analysis) in items(experiment.get("analyses")) {
                        for (k, arg) in items(analysis.get("args")) {
                            let at = format!("{}/experiment/analyses/{a}/args/{k}", step_ptr(i));
                            args.push((at, arg));
                        }
                    }
                }
                if let Some(analysis) = set(step, "analysis") {
                    for (k, arg) in items(analysis.get("args")) {
                        args.push((format!("{}/analysis/args/{k}", step_ptr(i)), arg));
                    }
                }
                let all = Value::Array(args.iter().map(|(_, a)| argument_json(a)).collect());
                for (at, arg) in &args {
                    let Some(path) = arg.lookup("/valueFrom/fieldRef/fieldPath") else {
                        continue;
                    };
                    let path = path.as_str().unwrap_or("");
                    if path.starts_with("metadata") && !downward_api_path(path) {
                        sink.report(
                            rollout,
                            &format!("{at}/valueFrom/fieldRef/fieldPath"),
                            invalid_json(&format!("spec.strategy.steps[{i}].analyses"), &all, ANALYSIS_ARGS),
                        )
                        .help("use metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations, or metadata.labels['<key>'] / metadata.annotations['<key>']");
                    }
                }
            }
        })
    },
};
