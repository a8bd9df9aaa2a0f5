//! The typed values model: the keys of a blue-green chart's `values.yaml`.
//!
//! The Rust types are the single source of truth: serde reads values into them (refusing
//! unknown keys), schemars turns them into `schemas/values.schema.json`, and the templates see
//! them serialised back, so a template can only use what is declared here. Kubernetes
//! sub-objects (probes, resources, env, affinity…) are kept as JSON but described in the
//! schema by the real Kubernetes types, so editors complete them and typos are refused.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use k8s_openapi::api::core::v1 as core;

use crate::schema::json::kubernetes_schema;

/// Values for one blue-green application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "rollwright values")]
pub struct Values {
    /// Application name: names the Rollout and prefixes the default Service names. Default:
    /// `--name`, else the chart directory's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace written into every object's metadata. `--namespace` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Pods the Rollout runs (`spec.replicas`). Argo Rollouts' default: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_count: Option<i32>,
    #[serde(default)]
    pub image: Image,
    /// `spec.template.spec.imagePullSecrets`.
    #[serde(default)]
    pub image_pull_secrets: Vec<LocalObjectReference>,
    /// `spec.template.spec.serviceAccountName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Labels added to every object.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations added to every object.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Extra labels on the pod template (not used by the selector).
    #[serde(default)]
    pub pod_labels: BTreeMap<String, String>,
    /// Annotations on the pod template.
    #[serde(default)]
    pub pod_annotations: BTreeMap<String, String>,
    /// Container ports. Default: one port named `http` on 80/TCP.
    #[serde(default)]
    pub ports: Vec<ContainerPort>,
    /// The active and preview Services.
    #[serde(default)]
    pub service: ServiceValues,
    /// Container command (entrypoint).
    #[serde(default)]
    pub command: Vec<String>,
    /// Container arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Container environment variables.
    #[serde(default)]
    #[schemars(with = "Vec<core::EnvVar>")]
    pub env: Vec<Value>,
    /// Container environment from ConfigMaps and Secrets.
    #[serde(default)]
    #[schemars(with = "Vec<core::EnvFromSource>")]
    pub env_from: Vec<Value>,
    /// Readiness probe. With `autoPromotionEnabled: true` and no analysis it is what decides
    /// when the new version takes traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<core::Probe>")]
    pub readiness_probe: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<core::Probe>")]
    pub liveness_probe: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<core::Probe>")]
    pub startup_probe: Option<Value>,
    /// Container resource requests and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<core::ResourceRequirements>")]
    pub resources: Option<Value>,
    /// Container security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<core::SecurityContext>")]
    pub security_context: Option<Value>,
    /// Pod security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<core::PodSecurityContext>")]
    pub pod_security_context: Option<Value>,
    /// Pod volumes.
    #[serde(default)]
    #[schemars(with = "Vec<core::Volume>")]
    pub volumes: Vec<Value>,
    /// Container volume mounts.
    #[serde(default)]
    #[schemars(with = "Vec<core::VolumeMount>")]
    pub volume_mounts: Vec<Value>,
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    #[serde(default)]
    #[schemars(with = "Vec<core::Toleration>")]
    pub tolerations: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<core::Affinity>")]
    pub affinity: Option<Value>,
    /// The Rollout's own settings.
    #[serde(default)]
    pub rollout: RolloutValues,
    /// AnalysisTemplates to render, by name. Referenced from
    /// `rollout.strategy.blueGreen.prePromotionAnalysis` / `postPromotionAnalysis`.
    #[serde(default)]
    pub analysis_templates: BTreeMap<String, AnalysisTemplateValues>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    /// Image repository, e.g. `nginx` or `ghcr.io/acme/shop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Image tag. Quote it: YAML reads `1.10` as the number 1.1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tag"
    )]
    #[schemars(with = "Option<Tag>")]
    pub tag: Option<String>,
    /// `Always`, `IfNotPresent` or `Never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<PullPolicy>,
}

/// A tag: a string, or an integer written without quotes (`20240101`).
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Tag {
    String(String),
    Integer(i64),
}

fn tag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        Some(other) => Err(D::Error::custom(format!(
            "expected a string or an integer, found {other}"
        ))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalObjectReference {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerPort {
    /// Port name (an IANA_SVC_NAME), referenced by the Service's `targetPort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub container_port: u16,
    /// `TCP` (default), `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

/// An integer or a string (a named port, a percentage, an Argo `{{args.x}}` placeholder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i64),
    String(String),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceValues {
    /// `ClusterIP` (default), `NodePort`, `LoadBalancer`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<ServiceType>,
    /// Service port. Default: 80.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Container port the Service sends to: a number or a port name. Default: the first
    /// container port's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_port: Option<IntOrString>,
    /// Name of the Service port. Default: `http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
    /// Annotations on both Services.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Labels on both Services.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutValues {
    #[serde(default)]
    pub strategy: Strategy,
    /// Old ReplicaSets kept for rollback (`spec.revisionHistoryLimit`). Argo's default: 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    /// Seconds before a stuck update is reported as degraded. Argo's default: 600.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<i32>,
    /// Seconds a new pod must be ready before it counts as available. Argo's default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Strategy {
    #[serde(default)]
    pub blue_green: BlueGreen,
}

/// `spec.strategy.blueGreen` of the Rollout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlueGreen {
    /// Service that receives production traffic. Default: `<name>-active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_service: Option<String>,
    /// Service that shows the new version before promotion. Default: `<name>-preview`;
    /// `null` or `""` renders no preview Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_service: Option<String>,
    /// `false` (this chart's default): every update pauses until
    /// `kubectl argo rollouts promote`. Argo's own default is `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_promotion_enabled: Option<bool>,
    /// With auto-promotion, seconds to wait before promoting. Ignored when
    /// `autoPromotionEnabled` is `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_promotion_seconds: Option<i32>,
    /// Seconds the old ReplicaSet keeps running after the update completes (0: it is never
    /// scaled down). Default: 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_seconds: Option<i32>,
    /// Old ReplicaSets kept running during their scale-down delay. Argo's default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_revision_limit: Option<i32>,
    /// Seconds before an aborted preview is scaled down (0: never). Argo's default: 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_scale_down_delay_seconds: Option<i32>,
    /// Pods of the new version before promotion. Argo's default: `replicaCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_replica_count: Option<i32>,
    /// Analysis that must pass before promotion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_promotion_analysis: Option<RolloutAnalysis>,
    /// Analysis run after the switch; failure aborts the update, switching traffic back only
    /// while every new pod is available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_promotion_analysis: Option<RolloutAnalysis>,
    /// Labels/annotations on active pods only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_metadata: Option<PodMetadata>,
    /// Labels/annotations on preview pods only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_metadata: Option<PodMetadata>,
    /// Keeps new pods off the nodes of the old ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<AntiAffinity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutAnalysis {
    #[serde(default)]
    pub templates: Vec<TemplateRef>,
    #[serde(default)]
    pub args: Vec<AnalysisArg>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateRef {
    pub template_name: String,
    /// `true` for a ClusterAnalysisTemplate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
}

/// An analysis argument: a literal `value`, or `valueFrom` a Secret or a field of the Rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisArg {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ArgValueFrom>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArgValueFrom {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<SecretKeyRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretKeyRef {
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldRef {
    pub field_path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodMetadata {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Exactly one of the two must be set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AntiAffinity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_during_scheduling_ignored_during_execution: Option<EmptyObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_during_scheduling_ignored_during_execution: Option<PreferredAntiAffinity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyObject {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferredAntiAffinity {
    /// 1 to 100.
    pub weight: i32,
}

/// One AnalysisTemplate (or ClusterAnalysisTemplate).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisTemplateValues {
    /// Render a ClusterAnalysisTemplate instead of a namespaced AnalysisTemplate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scope: Option<bool>,
    /// Arguments the metrics use as `{{args.<name>}}`; without a value the Rollout must pass one.
    #[serde(default)]
    pub args: Vec<AnalysisArg>,
    #[serde(default)]
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metric {
    pub name: String,
    /// Time between measurements, a Go duration (`5m`, `30s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Delay before the first measurement, a Go duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay: Option<String>,
    /// Measurements to take. Without it and with an interval the metric runs indefinitely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<IntOrString>,
    /// An expression over `result`, e.g. `result[0] >= 0.95`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_condition: Option<String>,
    /// Failed measurements tolerated (-1 disables). Argo's default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_limit: Option<IntOrString>,
    /// Inconclusive measurements tolerated. Argo's default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive_limit: Option<IntOrString>,
    /// Consecutive measurement errors tolerated. Argo's default: 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_error_limit: Option<IntOrString>,
    /// Consecutive successes that end the metric early (0 disables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_success_limit: Option<IntOrString>,
    pub provider: Provider,
}

/// Exactly one provider. Prometheus and web are typed; the others are passed through as
/// written (see the Argo Rollouts analysis documentation for their fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Provider {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<Prometheus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<Web>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_relic: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wavefront: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kayenta: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graphite: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub influxdb: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skywalking: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prometheus {
    /// Prometheus server URL, e.g. `http://prometheus.monitoring:9090`.
    pub address: String,
    /// PromQL; `{{args.<name>}}` placeholders are filled in by Argo Rollouts.
    pub query: String,
    /// Query timeout in seconds. Argo's default: 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// SigV4 or OAuth2 settings, passed through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Web {
    pub url: String,
    /// `GET` (default), `POST` or `PUT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_body: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    /// JSONPath into the response, e.g. `{$.data.ok}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Header {
    pub key: String,
    pub value: String,
}

/// The defaults layer: the seed chart's values, laid under `values.yaml`. What is not here
/// is left out of the manifests, so Argo Rollouts' own defaults apply.
pub fn defaults(name: &str) -> Value {
    serde_json::json!({
        "image": {"repository": "nginx", "pullPolicy": "IfNotPresent"},
        "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
        "service": {"type": "ClusterIP", "port": 80},
        "rollout": {"strategy": {"blueGreen": {
            "activeService": format!("{name}-active"),
            "previewService": format!("{name}-preview"),
            "autoPromotionEnabled": false,
            "scaleDownDelaySeconds": 30,
        }}},
    })
}

/// `schemas/values.schema.json`, as committed: what `json_schema` generates (a test keeps the
/// two equal), embedded so that checking values costs no schema generation.
pub const PUBLISHED_SCHEMA: &str = include_str!("../../schemas/values.schema.json");

/// The Kubernetes type behind a top-level field kept as JSON, and whether the field is a
/// list of it. Checking a value needs only its own type's schema, which is much cheaper to
/// build than the whole values schema (a test keeps this table equal to the schema).
pub fn kubernetes_field(key: &str) -> Option<(Value, bool)> {
    let (schema, list) = match key {
        "env" => (schemars::schema_for!(core::EnvVar), true),
        "envFrom" => (schemars::schema_for!(core::EnvFromSource), true),
        "readinessProbe" | "livenessProbe" | "startupProbe" => {
            (schemars::schema_for!(core::Probe), false)
        }
        "resources" => (schemars::schema_for!(core::ResourceRequirements), false),
        "securityContext" => (schemars::schema_for!(core::SecurityContext), false),
        "podSecurityContext" => (schemars::schema_for!(core::PodSecurityContext), false),
        "volumes" => (schemars::schema_for!(core::Volume), true),
        "volumeMounts" => (schemars::schema_for!(core::VolumeMount), true),
        "tolerations" => (schemars::schema_for!(core::Toleration), true),
        "affinity" => (schemars::schema_for!(core::Affinity), false),
        _ => return None,
    };
    Some((kubernetes_schema(schema), list))
}

/// The JSON Schema of values files, as shipped in `schemas/values.schema.json`.
pub fn json_schema() -> Value {
    kubernetes_schema(schemars::schema_for!(Values))
}
