//! Experiment rules (`VerifyExperimentSpec` in the controller).

use crate::rules::util::Lookup as _;
use std::collections::HashSet;

use serde_json::Value;

use super::util::{int, items};
use super::{ARGO, Context, Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[&EX_01, &EX_02, &EX_03, &EX_04, &EX_05];

fn templates<'a>(
    ctx: &'a Context<'_>,
) -> impl Iterator<Item = (&'a Object, usize, &'a Value)> + 'a {
    ctx.of_kind(ARGO, "Experiment")
        .flat_map(|e| items(e.value.lookup("/spec/templates")).map(move |(i, t)| (e, i, t)))
}

fn help_for(sink: &mut Sink<'_>, e: &Object, pointer: &str, message: String, help: &str) {
    sink.report(e, pointer, message).help(help);
}

pub static EX_01: Rule = Rule {
    id: "EX-01",
    name: "experiment-template-selector",
    severity: Severity::Error,
    doc: "every Experiment template needs a selector",
    check: |ctx, sink| {
        for (e, i, t) in templates(ctx) {
            if t.get("selector").is_none_or(Value::is_null) {
                help_for(
                    sink,
                    e,
                    &format!("/spec/templates/{i}"),
                    format!("Rollout has missing field '.Spec.Templates[{i}].Selector'"),
                    "add selector.matchLabels matching the template's pod labels",
                );
            }
        }
    },
};

pub static EX_02: Rule = Rule {
    id: "EX-02",
    name: "experiment-selector-non-empty",
    severity: Severity::Error,
    doc: "an Experiment template's selector must not be empty",
    check: |ctx, sink| {
        for (e, i, t) in templates(ctx) {
            let Some(sel) = t.get("selector").filter(|s| s.is_object()) else {
                continue;
            };
            let n = sel
                .get("matchLabels")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len())
                + sel
                    .get("matchExpressions")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
            if n == 0 {
                help_for(
                    sink,
                    e,
                    &format!("/spec/templates/{i}/selector"),
                    format!(
                        "This experiment is selecting all pods at index {i}. A non-empty selector is required."
                    ),
                    "select the template's pod labels",
                );
            }
        }
    },
};

pub static EX_03: Rule = Rule {
    id: "EX-03",
    name: "experiment-min-ready-within-deadline",
    severity: Severity::Error,
    doc: "an Experiment template's minReadySeconds may not exceed progressDeadlineSeconds (default 600)",
    check: |ctx, sink| {
        for (e, i, t) in templates(ctx) {
            let deadline = int(e.value.lookup("/spec/progressDeadlineSeconds")).unwrap_or(600);
            if int(t.get("minReadySeconds")).is_some_and(|m| m > deadline) {
                help_for(
                    sink,
                    e,
                    &format!("/spec/templates/{i}/minReadySeconds"),
                    format!(
                        "MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index {i}"
                    ),
                    "lower minReadySeconds or raise spec.progressDeadlineSeconds",
                );
            }
        }
    },
};

pub static EX_04: Rule = Rule {
    id: "EX-04",
    name: "experiment-template-name",
    severity: Severity::Error,
    doc: "every Experiment template needs a name",
    check: |ctx, sink| {
        for (e, i, t) in templates(ctx) {
            if t.get("name")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                help_for(
                    sink,
                    e,
                    &format!("/spec/templates/{i}"),
                    format!(
                        "Experiment {} has empty template name at index {i}",
                        e.id.name
                    ),
                    "name the template",
                );
            }
        }
    },
};

pub static EX_05: Rule = Rule {
    id: "EX-05",
    name: "experiment-template-names-unique",
    severity: Severity::Error,
    doc: "Experiment template names must be unique",
    check: |ctx, sink| {
        for e in ctx.of_kind(ARGO, "Experiment") {
            let mut seen = HashSet::new();
            for (i, t) in items(e.value.lookup("/spec/templates")) {
                let Some(name) = t
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                else {
                    continue;
                };
                if !seen.insert(name) {
                    help_for(
                        sink,
                        e,
                        &format!("/spec/templates/{i}/name"),
                        format!(
                            "Experiment {} has repeated template name '{name}' in templates",
                            e.id.name
                        ),
                        "give each template its own name",
                    );
                }
            }
        }
    },
};
