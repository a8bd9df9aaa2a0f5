//! The Rollout: blue-green and canary strategies, traffic routing, steps, status.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::common::{
    AnalysisRunArgument, AnalysisRunMetadata, AnalysisTemplateRef, Condition, DryRun,
    MeasurementRetention, PodTemplateMetadata,
};

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rollout {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<ObjectMeta>,
    pub spec: RolloutSpec,
    pub status: Option<RolloutStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutSpec {
    /// Argo's default: 1.
    pub replicas: Option<i32>,
    /// Required unless `workloadRef` is set (checked by the controller, not the CRD).
    pub selector: Option<LabelSelector>,
    /// The pods to run; empty when `workloadRef` names a Deployment holding them.
    pub template: Option<core::PodTemplateSpec>,
    pub workload_ref: Option<ObjectRef>,
    pub min_ready_seconds: Option<i32>,
    pub strategy: Option<RolloutStrategy>,
    pub revision_history_limit: Option<i32>,
    pub paused: Option<bool>,
    pub progress_deadline_seconds: Option<i32>,
    pub progress_deadline_abort: Option<bool>,
    /// RFC 3339 time; pods older than it are restarted.
    pub restart_at: Option<String>,
    pub analysis: Option<AnalysisRunStrategy>,
    pub rollback_window: Option<RollbackWindowSpec>,
}

/// The Deployment (or other workload) whose pod template a Rollout runs.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectRef {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    /// `never`, `onsuccess` or `progressively`.
    pub scale_down: Option<String>,
}

/// How many finished AnalysisRuns to keep.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisRunStrategy {
    pub successful_run_history_limit: Option<i32>,
    pub unsuccessful_run_history_limit: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RollbackWindowSpec {
    pub revisions: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutStrategy {
    pub blue_green: Option<BlueGreenStrategy>,
    pub canary: Option<CanaryStrategy>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlueGreenStrategy {
    pub active_service: String,
    pub preview_service: Option<String>,
    pub preview_replica_count: Option<i32>,
    pub auto_promotion_enabled: Option<bool>,
    pub auto_promotion_seconds: Option<i32>,
    pub max_unavailable: Option<IntOrString>,
    pub scale_down_delay_seconds: Option<i32>,
    pub scale_down_delay_revision_limit: Option<i32>,
    pub pre_promotion_analysis: Option<RolloutAnalysis>,
    pub anti_affinity: Option<AntiAffinity>,
    pub post_promotion_analysis: Option<RolloutAnalysis>,
    pub preview_metadata: Option<PodTemplateMetadata>,
    pub active_metadata: Option<PodTemplateMetadata>,
    pub abort_scale_down_delay_seconds: Option<i32>,
}

/// Analysis a Rollout runs: before/after promotion, or as a canary step.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutAnalysis {
    pub templates: Option<Vec<AnalysisTemplateRef>>,
    pub args: Option<Vec<AnalysisRunArgument>>,
    pub dry_run: Option<Vec<DryRun>>,
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    pub analysis_run_metadata: Option<AnalysisRunMetadata>,
}

/// A canary's background analysis: a step analysis that may start at a later step.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutAnalysisBackground {
    pub templates: Option<Vec<AnalysisTemplateRef>>,
    pub args: Option<Vec<AnalysisRunArgument>>,
    pub dry_run: Option<Vec<DryRun>>,
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    pub analysis_run_metadata: Option<AnalysisRunMetadata>,
    pub starting_step: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AntiAffinity {
    pub preferred_during_scheduling_ignored_during_execution: Option<PreferredDuringScheduling>,
    pub required_during_scheduling_ignored_during_execution: Option<RequiredDuringScheduling>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferredDuringScheduling {
    pub weight: i32,
}

/// Takes no settings: its presence asks for the required form.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredDuringScheduling {}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanaryStrategy {
    pub canary_service: Option<String>,
    pub stable_service: Option<String>,
    pub steps: Option<Vec<CanaryStep>>,
    pub traffic_routing: Option<RolloutTrafficRouting>,
    pub max_unavailable: Option<IntOrString>,
    pub max_surge: Option<IntOrString>,
    pub analysis: Option<RolloutAnalysisBackground>,
    pub anti_affinity: Option<AntiAffinity>,
    pub canary_metadata: Option<PodTemplateMetadata>,
    pub stable_metadata: Option<PodTemplateMetadata>,
    pub scale_down_delay_seconds: Option<i32>,
    pub scale_down_delay_revision_limit: Option<i32>,
    pub abort_scale_down_delay_seconds: Option<i32>,
    pub dynamic_stable_scale: Option<bool>,
    pub ping_pong: Option<PingPongSpec>,
    pub min_pods_per_replica_set: Option<i32>,
    pub replica_progress_threshold: Option<ReplicaProgressThreshold>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PingPongSpec {
    pub ping_service: String,
    pub pong_service: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplicaProgressThreshold {
    /// `Pod` or `Percent`.
    pub r#type: String,
    pub value: i32,
}

/// One canary step; exactly one of the fields is expected (checked by the controller).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanaryStep {
    pub set_weight: Option<i32>,
    pub pause: Option<RolloutPause>,
    pub experiment: Option<RolloutExperimentStep>,
    pub analysis: Option<RolloutAnalysis>,
    pub set_canary_scale: Option<SetCanaryScale>,
    pub set_header_route: Option<SetHeaderRoute>,
    pub set_mirror_route: Option<SetMirrorRoute>,
    pub plugin: Option<PluginStep>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutPause {
    /// Seconds, or a Go duration (`30s`, `1h`); without it the pause waits for a promotion.
    pub duration: Option<IntOrString>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutExperimentStep {
    pub templates: Vec<RolloutExperimentTemplate>,
    pub duration: Option<String>,
    pub analyses: Option<Vec<RolloutExperimentStepAnalysisTemplateRef>>,
    pub dry_run: Option<Vec<DryRun>>,
    pub analysis_run_metadata: Option<AnalysisRunMetadata>,
    pub scale_down_delay_seconds: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutExperimentTemplate {
    pub name: String,
    /// `stable` or `canary`: which ReplicaSet's pod template to run.
    pub spec_ref: String,
    pub replicas: Option<i32>,
    pub metadata: Option<PodTemplateMetadata>,
    pub selector: Option<LabelSelector>,
    pub weight: Option<i32>,
    pub service: Option<TemplateService>,
}

/// The Service an experiment template gets, optionally named.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateService {
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutExperimentStepAnalysisTemplateRef {
    pub name: String,
    pub template_name: String,
    pub cluster_scope: Option<bool>,
    pub args: Option<Vec<AnalysisRunArgument>>,
    pub required_for_completion: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetCanaryScale {
    pub weight: Option<i32>,
    pub replicas: Option<i32>,
    pub match_traffic_weight: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetHeaderRoute {
    pub name: Option<String>,
    pub r#match: Option<Vec<HeaderRoutingMatch>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderRoutingMatch {
    pub header_name: String,
    pub header_value: StringMatch,
}

/// One of exact, prefix or regular-expression matching.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StringMatch {
    pub exact: Option<String>,
    pub prefix: Option<String>,
    pub regex: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetMirrorRoute {
    pub name: String,
    pub r#match: Option<Vec<RouteMatch>>,
    pub percentage: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteMatch {
    pub method: Option<StringMatch>,
    pub path: Option<StringMatch>,
    pub headers: Option<BTreeMap<String, StringMatch>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PluginStep {
    pub name: String,
    /// The plugin's own configuration.
    pub config: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutTrafficRouting {
    pub istio: Option<IstioTrafficRouting>,
    pub nginx: Option<NginxTrafficRouting>,
    pub alb: Option<AlbTrafficRouting>,
    pub smi: Option<SmiTrafficRouting>,
    pub ambassador: Option<AmbassadorTrafficRouting>,
    pub app_mesh: Option<AppMeshTrafficRouting>,
    pub traefik: Option<TraefikTrafficRouting>,
    pub apisix: Option<ApisixTrafficRouting>,
    /// Traffic router plugins, by name; each takes its own configuration.
    pub plugins: Option<Map<String, Value>>,
    pub managed_routes: Option<Vec<ManagedRoute>>,
    pub max_traffic_weight: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedRoute {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IstioTrafficRouting {
    pub virtual_service: Option<IstioVirtualService>,
    pub destination_rule: Option<IstioDestinationRule>,
    pub virtual_services: Option<Vec<IstioVirtualService>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IstioVirtualService {
    pub name: String,
    pub routes: Option<Vec<String>>,
    pub tls_routes: Option<Vec<TlsRoute>>,
    pub tcp_routes: Option<Vec<TcpRoute>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TlsRoute {
    pub port: Option<i64>,
    pub sni_hosts: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TcpRoute {
    pub port: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IstioDestinationRule {
    pub name: String,
    pub canary_subset_name: String,
    pub stable_subset_name: String,
    pub additional_subset_names: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NginxTrafficRouting {
    pub annotation_prefix: Option<String>,
    pub stable_ingress: Option<String>,
    pub stable_ingresses: Option<Vec<String>>,
    pub additional_ingress_annotations: Option<BTreeMap<String, String>>,
    pub canary_ingress_annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlbTrafficRouting {
    pub ingress: Option<String>,
    pub ingresses: Option<Vec<String>>,
    pub service_port: i32,
    pub root_service: Option<String>,
    pub annotation_prefix: Option<String>,
    pub stickiness_config: Option<StickinessConfig>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StickinessConfig {
    pub enabled: bool,
    pub duration_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmiTrafficRouting {
    pub root_service: Option<String>,
    pub traffic_split_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AmbassadorTrafficRouting {
    pub mappings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppMeshTrafficRouting {
    pub virtual_service: Option<AppMeshVirtualService>,
    pub virtual_node_group: Option<AppMeshVirtualNodeGroup>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppMeshVirtualService {
    pub name: String,
    pub routes: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppMeshVirtualNodeGroup {
    pub canary_virtual_node_ref: AppMeshVirtualNodeReference,
    pub stable_virtual_node_ref: AppMeshVirtualNodeReference,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppMeshVirtualNodeReference {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TraefikTrafficRouting {
    pub weighted_traefik_service_name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApisixTrafficRouting {
    pub route: Option<ApisixRoute>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApisixRoute {
    pub name: String,
    pub rules: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutStatus {
    pub abort: Option<bool>,
    pub pause_conditions: Option<Vec<PauseCondition>>,
    pub controller_pause: Option<bool>,
    pub aborted_at: Option<String>,
    pub current_pod_hash: Option<String>,
    pub current_step_hash: Option<String>,
    pub replicas: Option<i32>,
    pub updated_replicas: Option<i32>,
    pub ready_replicas: Option<i32>,
    pub available_replicas: Option<i32>,
    pub current_step_index: Option<i32>,
    pub collision_count: Option<i32>,
    /// A string in this API (the generation the controller last saw).
    pub observed_generation: Option<String>,
    pub conditions: Option<Vec<Condition>>,
    pub canary: Option<CanaryStatus>,
    pub blue_green: Option<BlueGreenStatus>,
    #[serde(rename = "HPAReplicas")]
    pub hpa_replicas: Option<i32>,
    pub selector: Option<String>,
    #[serde(rename = "stableRS")]
    pub stable_rs: Option<String>,
    pub restarted_at: Option<String>,
    pub promote_full: Option<bool>,
    pub phase: Option<String>,
    pub message: Option<String>,
    pub workload_observed_generation: Option<String>,
    pub alb: Option<AlbStatus>,
    pub albs: Option<Vec<AlbStatus>>,
    pub duration: Option<RolloutDurationStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PauseCondition {
    pub reason: String,
    pub start_time: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanaryStatus {
    pub current_step_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    pub current_background_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    pub current_experiment: Option<String>,
    pub weights: Option<TrafficWeights>,
    pub stable_ping_pong: Option<String>,
    pub step_plugin_statuses: Option<Vec<StepPluginStatus>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlueGreenStatus {
    pub preview_selector: Option<String>,
    pub active_selector: Option<String>,
    pub scale_up_preview_check_point: Option<bool>,
    pub pre_promotion_analysis_run_status: Option<RolloutAnalysisRunStatus>,
    pub post_promotion_analysis_run_status: Option<RolloutAnalysisRunStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutAnalysisRunStatus {
    pub name: String,
    pub status: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrafficWeights {
    pub canary: WeightDestination,
    pub stable: WeightDestination,
    pub additional: Option<Vec<WeightDestination>>,
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeightDestination {
    pub weight: i32,
    pub service_name: Option<String>,
    pub pod_template_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepPluginStatus {
    pub index: i32,
    pub name: String,
    pub operation: String,
    pub phase: Option<String>,
    pub message: Option<String>,
    pub started_at: Option<String>,
    pub updated_at: Option<String>,
    pub finished_at: Option<String>,
    pub backoff: Option<String>,
    pub executions: Option<i32>,
    pub disabled: Option<bool>,
    /// The plugin's own state.
    pub status: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlbStatus {
    pub load_balancer: Option<AwsResourceRef>,
    pub canary_target_group: Option<AwsResourceRef>,
    pub stable_target_group: Option<AwsResourceRef>,
    pub ingress: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwsResourceRef {
    pub name: String,
    pub arn: String,
    pub full_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutDurationStatus {
    pub rollout_started_at: Option<String>,
    pub finished_at: Option<String>,
    pub completion_status: Option<String>,
    pub manual_pause_started_at: Option<String>,
    pub total_manual_pause_duration_seconds: Option<i64>,
}
