//! The kinds rollwright knows without being given CRDs: the Argo Rollouts kinds (this
//! project's types) and the core Kubernetes kinds a release usually ships with them
//! (k8s-openapi's types).

use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac};
use serde_json::Value;

use super::{argo, json, typed};

/// A built-in kind and how to make its schema.
pub(crate) struct Builtin {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub schema: fn() -> Value,
    /// The schema as compiled, generated ahead (schemas/kinds/, kept equal to `schema` by a
    /// test): the kinds of a blue-green chart, whose schemas every pre-commit run compiles.
    /// Reading it takes a fraction of generating it.
    pub prepared: Option<&'static str>,
    /// The typed read that stands for the schema check of a valid object (see
    /// [`typed`]): the type the schema is derived from, `status` ignored when asked.
    pub typed: fn(&Value, bool) -> bool,
}

/// The kinds whose compiled schema is embedded, and the file holding it.
pub(crate) const PREPARED: &[(&str, &str, &str)] = &[
    (
        "argoproj.io/v1alpha1",
        "Rollout",
        include_str!("../../schemas/kinds/rollout.json"),
    ),
    (
        "argoproj.io/v1alpha1",
        "AnalysisTemplate",
        include_str!("../../schemas/kinds/analysistemplate.json"),
    ),
    (
        "v1",
        "Service",
        include_str!("../../schemas/kinds/service.json"),
    ),
];

const fn prepared(api_version: &str, kind: &str) -> Option<&'static str> {
    let mut i = 0;
    while i < PREPARED.len() {
        let (a, k, text) = PREPARED[i];
        if a.eq_ignore_ascii_case(api_version) && k.eq_ignore_ascii_case(kind) {
            return Some(text);
        }
        i += 1;
    }
    None
}

macro_rules! kinds {
    ($($api_version:literal $kind:literal => $how:ident($ty:ty),)*) => {
        pub(crate) const KINDS: &[Builtin] = &[$(Builtin {
            api_version: $api_version,
            kind: $kind,
            schema: || $how(schemars::schema_for!($ty)),
            prepared: prepared($api_version, $kind),
            typed: typed::reads_as::<$ty>,
        },)*];
    };
}

kinds! {
    "argoproj.io/v1alpha1" "Rollout" => argo(argo::Rollout),
    "argoproj.io/v1alpha1" "AnalysisTemplate" => argo(argo::AnalysisTemplate),
    "argoproj.io/v1alpha1" "ClusterAnalysisTemplate" => argo(argo::ClusterAnalysisTemplate),
    "argoproj.io/v1alpha1" "AnalysisRun" => argo(argo::AnalysisRun),
    "argoproj.io/v1alpha1" "Experiment" => argo(argo::Experiment),
    "v1" "Service" => core(core::v1::Service),
    "v1" "ConfigMap" => core(core::v1::ConfigMap),
    "v1" "Secret" => core(core::v1::Secret),
    "v1" "ServiceAccount" => core(core::v1::ServiceAccount),
    "v1" "Namespace" => core(core::v1::Namespace),
    "v1" "PodTemplate" => core(core::v1::PodTemplate),
    "v1" "Pod" => core(core::v1::Pod),
    "v1" "PersistentVolumeClaim" => core(core::v1::PersistentVolumeClaim),
    "v1" "LimitRange" => core(core::v1::LimitRange),
    "v1" "ResourceQuota" => core(core::v1::ResourceQuota),
    "apps/v1" "Deployment" => core(apps::v1::Deployment),
    "apps/v1" "ReplicaSet" => core(apps::v1::ReplicaSet),
    "apps/v1" "StatefulSet" => core(apps::v1::StatefulSet),
    "apps/v1" "DaemonSet" => core(apps::v1::DaemonSet),
    "batch/v1" "Job" => core(batch::v1::Job),
    "batch/v1" "CronJob" => core(batch::v1::CronJob),
    "networking.k8s.io/v1" "Ingress" => core(networking::v1::Ingress),
    "networking.k8s.io/v1" "NetworkPolicy" => core(networking::v1::NetworkPolicy),
    "autoscaling/v2" "HorizontalPodAutoscaler" => core(autoscaling::v2::HorizontalPodAutoscaler),
    "policy/v1" "PodDisruptionBudget" => core(policy::v1::PodDisruptionBudget),
    "rbac.authorization.k8s.io/v1" "Role" => core(rbac::v1::Role),
    "rbac.authorization.k8s.io/v1" "RoleBinding" => core(rbac::v1::RoleBinding),
    "rbac.authorization.k8s.io/v1" "ClusterRole" => core(rbac::v1::ClusterRole),
    "rbac.authorization.k8s.io/v1" "ClusterRoleBinding" => core(rbac::v1::ClusterRoleBinding),
}

fn core(schema: schemars::Schema) -> Value {
    compact(schema.to_value())
}

fn argo(schema: schemars::Schema) -> Value {
    let mut schema = compact(schema.to_value());
    argo::as_in_crds(&mut schema);
    schema
}

/// What is compiled: Kubernetes semantics, no `null` alternatives (nulls are handled before
/// validating, as the API server handles them), no documentation.
fn compact(mut schema: Value) -> Value {
    json::strip_annotations(&mut schema);
    json::strip_null_alternatives(&mut schema);
    json::kubernetes_semantics(&mut schema);
    schema
}
