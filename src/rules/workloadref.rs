//! `spec.workloadRef` resolution (`rollout/templateref.go` in the controller). WR-01 (the
//! template must be empty) is the same condition as R-05 and is reported as R-05.

use crate::rules::util::Lookup as _;
use serde_json::{Value, json};

use super::Rule;
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[&WR_02, &WR_03, &WR_04];

/// `(api group, kind, lister resource)` of the workloads a Rollout may reference.
const SUPPORTED: &[(&str, &str, &str)] = &[
    ("", "PodTemplate", "podtemplates"),
    ("apps", "Deployment", "deployments.apps"),
    ("apps", "ReplicaSet", "replicasets.apps"),
];

fn workload_ref(r: &Object) -> Option<(&str, &str, &str)> {
    let w = r
        .value
        .lookup("/spec/workloadRef")
        .filter(|v| v.is_object())?;
    let api_version = w.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    Some((
        group,
        w.get("kind").and_then(Value::as_str).unwrap_or(""),
        w.get("name").and_then(Value::as_str).unwrap_or(""),
    ))
}

pub static WR_02: Rule = Rule {
    id: "WR-02",
    name: "workload-ref-kind-supported",
    severity: Severity::Error,
    doc: "workloadRef may reference only a Deployment, a ReplicaSet or a PodTemplate",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let Some((group, kind, _)) = workload_ref(r) else {
                continue;
            };
            if !SUPPORTED.iter().any(|(g, k, _)| *g == group && *k == kind) {
                sink.report(
                    r,
                    "/spec/workloadRef/kind",
                    format!("workload of type {group}/{kind} is not supported"),
                )
                .help("reference an apps/v1 Deployment, an apps/v1 ReplicaSet or a v1 PodTemplate");
            }
        }
    },
};

pub static WR_03: Rule = Rule {
    id: "WR-03",
    name: "workload-ref-exists",
    severity: Severity::Error,
    doc: "the workload referenced by workloadRef must exist (a warning when it is only absent from the files checked)",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let Some((group, kind, name)) = workload_ref(r) else {
                continue;
            };
            let Some((_, _, resource)) =
                SUPPORTED.iter().find(|(g, k, _)| *g == group && *k == kind)
            else {
                continue;
            };
            if ctx.find(group, kind, r, name).is_none() {
                let key = match &r.id.namespace {
                    Some(ns) => format!("{ns}/{name}"),
                    None => name.to_owned(),
                };
                sink.missing(
                    ctx,
                    r,
                    "/spec/workloadRef/name",
                    format!("{resource} {key:?} not found"),
                )
                .help(format!(
                    "add the {kind} {name} to this set, or check the name"
                ));
            }
        }
    },
};

pub static WR_04: Rule = Rule {
    id: "WR-04",
    name: "workload-ref-selector-matches",
    severity: Severity::Error,
    doc: "the referenced workload's pod template labels must match the Rollout's selector (or the workload's own)",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            let Some((group, kind, name)) = workload_ref(r) else {
                continue;
            };
            let Some(w) = ctx.find(group, kind, r, name) else {
                continue;
            };
            let template = if kind == "PodTemplate" {
                "/template"
            } else {
                "/spec/template"
            };
            let empty = serde_json::Map::new();
            let labels = w
                .value
                .lookup(&format!("{template}/metadata/labels"))
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let selector = r
                .value
                .lookup("/spec/selector")
                .filter(|s| s.is_object())
                .or_else(|| w.value.lookup("/spec/selector"));
            let Some(selector) = selector else { continue };
            if !super::rollout::selector_matches(selector, labels) {
                let at = if r.value.lookup("/spec/selector").is_some() {
                    "/spec/selector"
                } else {
                    "/spec/workloadRef"
                };
                sink.report(
                    r,
                    at,
                    super::util::invalid(
                        "spec.template.metadata.labels",
                        &json!(labels),
                        "`selector` does not match template `labels`",
                    ),
                )
                .help(format!(
                    "make spec.selector select the labels of {kind} {name}'s pod template"
                ));
            }
        }
    },
};
