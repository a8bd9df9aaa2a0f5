//! The Services a canary Rollout references: that they exist, select its pods and are not
//! managed by another Rollout (CR-01 … CR-03), and the lookups the other reference checks share.

use super::*;

/// A Service the canary strategy names: the key under `canary`, and its name.
pub(super) struct ServiceRef<'v> {
    /// JSON pointer suffix under `canary` (`stableService`, `pingPong/pingService`).
    key: &'static str,
    /// The controller's field path.
    path: &'static str,
    name: &'v str,
}

/// Stable, canary, then (with pingPong) ping and pong: the controller's lookup order.
pub(super) fn service_refs(canary: &Value) -> Vec<ServiceRef<'_>> {
    let mut out = vec![
        ServiceRef {
            key: "stableService",
            path: "spec.strategy.canary.stableService",
            name: text(canary, "stableService"),
        },
        ServiceRef {
            key: "canaryService",
            path: "spec.strategy.canary.canaryService",
            name: text(canary, "canaryService"),
        },
    ];
    if let Some(pp) = set(canary, "pingPong") {
        out.push(ServiceRef {
            key: "pingPong/pingService",
            path: "spec.strategy.canary.pingPong.pingService",
            name: text(pp, "pingService"),
        });
        out.push(ServiceRef {
            key: "pingPong/pongService",
            path: "spec.strategy.canary.pingPong.pongService",
            name: text(pp, "pongService"),
        });
    }
    out.retain(|s| !s.name.is_empty());
    out
}

/// A lister's NotFound text: `<resource> "<name>" not found`.
pub(super) fn not_found(resource: &str, name: &str) -> String {
    format!("{resource} {} not found", go_value(&json!(name)))
}

/// An object of `group`/`kind` named `name` in `namespace` (the referencing object's when
/// `None`); objects without a namespace match any.
pub(super) fn find_in<'a>(
    ctx: &Context<'a>,
    group: &str,
    kind: &str,
    from: &Object,
    namespace: Option<&str>,
    name: &str,
) -> Option<&'a Object> {
    let namespace = namespace.or(from.id.namespace.as_deref());
    ctx.of_kind(group, kind).find(|o| {
        o.id.name == name
            && match (o.id.namespace.as_deref(), namespace) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    })
}

/// The pod template labels a Service selector must match: the Rollout's template, or for a
/// `workloadRef` the referenced workload's. `None` when they cannot be known (the workload is
/// not in the set, or of a kind the controller refuses).
pub(super) fn pod_labels<'a>(ctx: &Context<'a>, rollout: &'a Object) -> Option<Option<&'a Value>> {
    let Some(wr) = rollout
        .value
        .lookup("/spec/workloadRef")
        .filter(|v| !v.is_null())
    else {
        return Some(rollout.value.lookup("/spec/template/metadata/labels"));
    };
    let group = text(wr, "apiVersion")
        .rsplit_once('/')
        .map_or("", |(g, _)| g);
    let (kind, template) = match (group, text(wr, "kind")) {
        ("apps", "Deployment") => ("Deployment", "/spec/template/metadata/labels"),
        ("apps", "ReplicaSet") => ("ReplicaSet", "/spec/template/metadata/labels"),
        ("", "PodTemplate") => ("PodTemplate", "/template/metadata/labels"),
        _ => return None,
    };
    let workload = ctx.find(group, kind, rollout, text(wr, "name"))?;
    Some(workload.value.lookup(template))
}

pub static CR_01: Rule = Rule {
    id: "CR-01",
    name: "canary-services-exist",
    severity: Severity::Error,
    doc: "the stable, canary, ping and pong Services a canary Rollout names must exist",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            for svc in service_refs(canary) {
                if ctx.find("", "Service", rollout, svc.name).is_none() {
                    sink.missing(
                        ctx,
                        rollout,
                        &format!("{CANARY}/{}", svc.key),
                        invalid(svc.path, &json!(svc.name), &not_found("service", svc.name)),
                    )
                    .help(format!("add the Service `{}` to the manifests (the controller refuses the Rollout until it exists), or fix the name", svc.name));
                }
            }
        })
    },
};

pub static CR_02: Rule = Rule {
    id: "CR-02",
    name: "canary-service-selector-matches-pods",
    severity: Severity::Error,
    doc: "every selector label of a canary Service (except rollouts-pod-template-hash) must be on the Rollout's pod template",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(labels) = pod_labels(ctx, rollout) else {
                return;
            };
            for svc in service_refs(canary) {
                let Some(service) = ctx.find("", "Service", rollout, svc.name) else {
                    continue;
                };
                let Some(selector) = service
                    .value
                    .lookup("/spec/selector")
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                // Go ranges over the map in random order; report the first key in sorted order.
                let mut keys: Vec<&String> = selector.keys().filter(|k| *k != HASH_LABEL).collect();
                keys.sort();
                let mismatch = keys
                    .into_iter()
                    .find(|k| labels.and_then(|l| l.get(k.as_str())) != selector.get(k.as_str()));
                if let Some(key) = mismatch {
                    let name = svc.name;
                    let detail = format!(
                        "Service {} has unmatch label {} in rollout",
                        go_value(&json!(name)),
                        go_value(&json!(key))
                    );
                    let wanted = match &selector[key.as_str()] {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    sink.report(
                        rollout,
                        &format!("{CANARY}/{}", svc.key),
                        invalid(svc.path, &json!(name), &detail),
                    )
                    .help(format!(
                        "give the pod template the label `{key}: {wanted}`, or change the selector of Service `{name}` to match the pod template labels"
                    ));
                }
            }
        })
    },
};

pub static CR_03: Rule = Rule {
    id: "CR-03",
    name: "canary-service-not-managed-elsewhere",
    severity: Severity::Error,
    doc: "a canary Service must not carry the managed-by-rollouts annotation of another Rollout",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            for svc in service_refs(canary) {
                let Some(service) = ctx.find("", "Service", rollout, svc.name) else {
                    continue;
                };
                let Some(owner) = service
                    .value
                    .lookup("/metadata/annotations")
                    .and_then(|a| a.get(MANAGED_BY))
                else {
                    continue;
                };
                if owner.as_str() != Some(rollout.id.name.as_str()) {
                    sink.report(
                        rollout,
                        &format!("{CANARY}/{}", svc.key),
                        invalid(
                            svc.path,
                            &json!(svc.name),
                            &format!("Service {} is managed by another Rollout", go_value(&json!(svc.name))),
                        ),
                    )
                    .help(format!("give this Rollout its own Service, or remove the `{MANAGED_BY}` annotation from Service `{}` if no other Rollout uses it", svc.name));
                }
            }
        })
    },
};
