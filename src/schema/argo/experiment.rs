//! The Experiment: ReplicaSets run side by side for a while, judged by analyses.

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{AnalysisRunMetadata, Argument, Condition, DryRun, MeasurementRetention};
use super::rollout::TemplateService;

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Experiment {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<ObjectMeta>,
    pub spec: ExperimentSpec,
    pub status: Option<ExperimentStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExperimentSpec {
    pub templates: Vec<TemplateSpec>,
    /// Go duration; without it the experiment runs until its analyses finish.
    pub duration: Option<String>,
    pub progress_deadline_seconds: Option<i32>,
    pub terminate: Option<bool>,
    pub analyses: Option<Vec<ExperimentAnalysisTemplateRef>>,
    pub scale_down_delay_seconds: Option<i32>,
    pub dry_run: Option<Vec<DryRun>>,
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    pub analysis_run_metadata: Option<AnalysisRunMetadata>,
}

/// One ReplicaSet of the experiment.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateSpec {
    pub name: String,
    pub replicas: Option<i32>,
    pub min_ready_seconds: Option<i32>,
    pub selector: LabelSelector,
    pub template: core::PodTemplateSpec,
    pub service: Option<TemplateService>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExperimentAnalysisTemplateRef {
    pub name: String,
    pub template_name: String,
    pub cluster_scope: Option<bool>,
    pub args: Option<Vec<Argument>>,
    pub required_for_completion: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExperimentStatus {
    pub phase: Option<String>,
    pub message: Option<String>,
    pub template_statuses: Option<Vec<TemplateStatus>>,
    pub available_at: Option<String>,
    pub conditions: Option<Vec<Condition>>,
    pub analysis_runs: Option<Vec<ExperimentAnalysisRunStatus>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateStatus {
    pub name: String,
    pub replicas: i32,
    pub updated_replicas: i32,
    pub ready_replicas: i32,
    pub available_replicas: i32,
    pub collision_count: Option<i32>,
    pub status: Option<String>,
    pub message: Option<String>,
    pub last_transition_time: Option<String>,
    pub service_name: Option<String>,
    pub pod_template_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExperimentAnalysisRunStatus {
    pub name: String,
    pub analysis_run: String,
    pub phase: String,
    pub message: Option<String>,
}
