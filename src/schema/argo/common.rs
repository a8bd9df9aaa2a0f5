//! Types several Argo kinds share: analysis arguments, template references, run metadata.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// Labels and annotations put on what a Rollout or Experiment creates (pods, analysis runs).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodTemplateMetadata {
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Labels and annotations for the AnalysisRuns a Rollout or Experiment starts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisRunMetadata {
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
}

/// An argument declared by an AnalysisTemplate or passed to an AnalysisRun/Experiment
/// analysis: a literal, or from a Secret or a field of the owning object.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Argument {
    pub name: String,
    pub value: Option<String>,
    pub value_from: Option<ValueFrom>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValueFrom {
    pub secret_key_ref: Option<SecretKeyRef>,
    pub field_ref: Option<FieldRef>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretKeyRef {
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldRef {
    pub field_path: String,
}

/// An argument a Rollout passes to the analyses it starts: a literal, a field of the Rollout,
/// or the pod template hash of the stable or latest ReplicaSet.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisRunArgument {
    pub name: String,
    pub value: Option<String>,
    pub value_from: Option<ArgumentValueFrom>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArgumentValueFrom {
    /// `Stable` or `Latest` (the CRD types it as a plain string).
    pub pod_template_hash_value: Option<String>,
    pub field_ref: Option<FieldRef>,
}

/// A metric whose results must not fail the run (a name or a regular expression).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DryRun {
    pub metric_name: String,
}

/// How many measurements of a metric to keep.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeasurementRetention {
    pub metric_name: String,
    pub limit: i32,
}

/// A reference to an AnalysisTemplate, or a ClusterAnalysisTemplate with `clusterScope`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisTemplateRef {
    pub template_name: Option<String>,
    pub cluster_scope: Option<bool>,
}

/// A condition in a Rollout's or Experiment's status.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Condition {
    pub r#type: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition_time: String,
    pub last_update_time: String,
}
