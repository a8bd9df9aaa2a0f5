//! The Argo Rollouts kinds (`argoproj.io/v1alpha1`), written as Rust types whose derived JSON
//! Schemas are the built-in schemas: every field of the upstream CRDs, with the same required
//! fields and int-or-string fields. Pod and Job templates are the Kubernetes types, so they
//! are checked as the API server checks a Deployment's.
//!
//! Places the CRDs leave open (`x-kubernetes-preserve-unknown-fields`: plugin configurations,
//! a web metric's `jsonBody`, a step plugin's status) are `serde_json` maps here too; see
//! [`as_in_crds`] for the pod template's.

mod analysis;
mod common;
mod experiment;
mod rollout;

pub use analysis::*;
pub use common::*;
pub use experiment::*;
pub use rollout::*;

use serde_json::{Value, json};

/// Where the Argo CRDs differ from the Kubernetes types they embed (API-04), the built-in
/// schemas follow the CRDs: a pod template's `metadata` keeps only `labels` and
/// `annotations`, and container `resources.limits`/`requests` are open (the API server admits
/// a quantity it cannot parse, and the controller tolerates it). Pod-level `resources` and
/// `overhead` stay typed, as in the CRDs.
pub fn as_in_crds(schema: &mut Value) {
    let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(template) = defs.get_mut("io.k8s.api.core.v1.PodTemplateSpec") {
        let strings = json!({"type": "object", "additionalProperties": {"type": "string"}});
        template["properties"]["metadata"] = json!({
            "type": "object",
            "properties": {"labels": strings, "annotations": strings},
            "additionalProperties": false,
        });
    }
    let requirements = defs.get("io.k8s.api.core.v1.ResourceRequirements").cloned();
    for container in [
        "io.k8s.api.core.v1.Container",
        "io.k8s.api.core.v1.EphemeralContainer",
    ] {
        if let (Some(c), Some(requirements)) = (defs.get_mut(container), &requirements) {
            let mut resources = requirements.clone();
            resources["properties"]["limits"] = json!({});
            resources["properties"]["requests"] = json!({});
            c["properties"]["resources"] = resources;
        }
    }
}
