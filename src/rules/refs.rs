//! Blue-green referenced Services (`ValidateRolloutReferencedResources` in the controller):
//! the Services must exist, select the pod template, and belong to this Rollout.

use crate::rules::util::Lookup as _;
use serde_json::{Value, json};

use super::util::invalid;
use super::{Context, Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[&BGR_01, &BGR_02, &BGR_03, &BGR_04];

/// The annotation the controller writes on a Service it manages.
pub const MANAGED_BY: &str = "argo-rollouts.argoproj.io/managed-by-rollouts";
/// The selector label the controller adds to the Services it switches.
pub const HASH_LABEL: &str = "rollouts-pod-template-hash";

/// Each blue-green Rollout's `(role, pointer, name)` Services: active first, then preview.
fn services(r: &Object) -> Vec<(&'static str, String, &str)> {
    let mut out = Vec::new();
    for role in ["activeService", "previewService"] {
        let pointer = format!("/spec/strategy/blueGreen/{role}");
        if let Some(name) = r
            .value
            .lookup(&pointer)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            out.push((role, pointer, name));
        }
    }
    out
}

fn exists(ctx: &Context<'_>, sink: &mut Sink<'_>, role: &str) {
    for r in ctx.rollouts() {
        for (which, pointer, name) in services(r) {
            if which == role && ctx.find("", "Service", r, name).is_none() {
                sink.missing(ctx, r, &pointer, invalid(&format!("spec.strategy.blueGreen.{role}"), &json!(name), &format!("service {name:?} not found")))
                    .help(format!("add a Service named {name} to this set, or check the name (it may live in the cluster already)"));
            }
        }
    }
}

pub static BGR_01: Rule = Rule {
    id: "BGR-01",
    name: "active-service-exists",
    severity: Severity::Error,
    doc: "the active Service must exist (a warning when it is only absent from the files checked)",
    check: |ctx, sink| exists(ctx, sink, "activeService"),
};

pub static BGR_02: Rule = Rule {
    id: "BGR-02",
    name: "preview-service-exists",
    severity: Severity::Error,
    doc: "the preview Service must exist (a warning when it is only absent from the files checked)",
    check: |ctx, sink| exists(ctx, sink, "previewService"),
};

/// The first key (in sorted order) of `service`'s selector that the pod template lacks.
pub fn unmatched_label(service: &Object, rollout: &Object) -> Option<String> {
    let selector = service
        .value
        .lookup("/spec/selector")
        .and_then(Value::as_object)?;
    let empty = serde_json::Map::new();
    let labels = rollout.pod_template_labels().unwrap_or(&empty);
    let mut keys: Vec<&String> = selector.keys().filter(|k| *k != HASH_LABEL).collect();
    keys.sort();
    keys.into_iter()
        .find(|k| labels.get(*k) != selector.get(*k))
        .cloned()
}

pub static BGR_03: Rule = Rule {
    id: "BGR-03",
    name: "service-selects-rollout-pods",
    severity: Severity::Error,
    doc: "every selector label of the active and preview Services must be on the pod template, with the same value",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            if r.value
                .lookup("/spec/workloadRef")
                .is_some_and(|v| !v.is_null())
            {
                continue;
            }
            for (role, pointer, name) in services(r) {
                let Some(service) = ctx.find("", "Service", r, name) else {
                    continue;
                };
                if let Some(key) = unmatched_label(service, r) {
                    sink.report(r, &pointer, invalid(&format!("spec.strategy.blueGreen.{role}"), &json!(name), &format!("Service {name:?} has unmatch label {key:?} in rollout")))
                        .help(format!("give the pod template the label {key}: {} (or change the Service's selector)", service.value.lookup(&format!("/spec/selector/{}", crate::yaml::escape_segment(&key))).map(super::util::go_value).unwrap_or_default()));
                }
            }
        }
    },
};

pub static BGR_04: Rule = Rule {
    id: "BGR-04",
    name: "service-not-managed-by-another-rollout",
    severity: Severity::Error,
    doc: "a Service already managed by another Rollout (its managed-by annotation) cannot be used",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            for (role, pointer, name) in services(r) {
                let Some(service) = ctx.find("", "Service", r, name) else {
                    continue;
                };
                let owner = service
                    .value
                    .lookup("/metadata/annotations")
                    .and_then(|a| a.get(MANAGED_BY))
                    .and_then(Value::as_str);
                if owner.is_some_and(|o| o != r.id.name) {
                    sink.report(
                        r,
                        &pointer,
                        invalid(
                            &format!("spec.strategy.blueGreen.{role}"),
                            &json!(name),
                            &format!("Service {name:?} is managed by another Rollout"),
                        ),
                    )
                    .help(format!(
                        "use a Service of this Rollout's own; {name} belongs to Rollout {}",
                        owner.unwrap_or_default()
                    ));
                }
            }
        }
    },
};
