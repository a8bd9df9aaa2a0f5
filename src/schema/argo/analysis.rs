//! AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun, and the metric providers.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1 as batch;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::common::{AnalysisTemplateRef, Argument, DryRun, MeasurementRetention};

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisTemplate {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<ObjectMeta>,
    pub spec: AnalysisTemplateSpec,
}

/// Same spec as an AnalysisTemplate, cluster-scoped.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterAnalysisTemplate {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<ObjectMeta>,
    pub spec: AnalysisTemplateSpec,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisTemplateSpec {
    /// Optional: a template may only compose others through `templates`.
    pub metrics: Option<Vec<Metric>>,
    pub args: Option<Vec<Argument>>,
    pub dry_run: Option<Vec<DryRun>>,
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    /// Other templates whose metrics and arguments this one includes.
    pub templates: Option<Vec<AnalysisTemplateRef>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisRun {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<ObjectMeta>,
    pub spec: AnalysisRunSpec,
    pub status: Option<AnalysisRunStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisRunSpec {
    pub metrics: Vec<Metric>,
    pub args: Option<Vec<Argument>>,
    pub terminate: Option<bool>,
    pub dry_run: Option<Vec<DryRun>>,
    pub measurement_retention: Option<Vec<MeasurementRetention>>,
    pub ttl_strategy: Option<TtlStrategy>,
}

/// When a finished AnalysisRun is deleted.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TtlStrategy {
    pub seconds_after_completion: Option<i32>,
    pub seconds_after_failure: Option<i32>,
    pub seconds_after_success: Option<i32>,
}

/// One measurement and how to judge it.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metric {
    pub name: String,
    /// Go duration between measurements.
    pub interval: Option<String>,
    /// Go duration before the first measurement.
    pub initial_delay: Option<String>,
    pub count: Option<IntOrString>,
    pub success_condition: Option<String>,
    pub failure_condition: Option<String>,
    pub failure_limit: Option<IntOrString>,
    pub inconclusive_limit: Option<IntOrString>,
    pub consecutive_error_limit: Option<IntOrString>,
    pub consecutive_success_limit: Option<IntOrString>,
    pub provider: MetricProvider,
}

/// Where a metric is measured; exactly one is expected (checked when the run starts).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricProvider {
    pub prometheus: Option<PrometheusMetric>,
    pub kayenta: Option<KayentaMetric>,
    pub web: Option<WebMetric>,
    pub datadog: Option<DatadogMetric>,
    pub wavefront: Option<WavefrontMetric>,
    pub new_relic: Option<NewRelicMetric>,
    pub job: Option<JobMetric>,
    pub cloud_watch: Option<CloudWatchMetric>,
    pub graphite: Option<GraphiteMetric>,
    pub influxdb: Option<InfluxdbMetric>,
    pub skywalking: Option<SkyWalkingMetric>,
    /// Metric plugins, by name; each takes its own configuration.
    pub plugin: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrometheusMetric {
    pub address: Option<String>,
    pub query: Option<String>,
    pub authentication: Option<Authentication>,
    /// Seconds.
    pub timeout: Option<i64>,
    pub insecure: Option<bool>,
    pub headers: Option<Vec<WebMetricHeader>>,
    pub range_query: Option<PrometheusRangeQuery>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrometheusRangeQuery {
    pub start: Option<String>,
    pub end: Option<String>,
    pub step: Option<String>,
}

/// Credentials for Prometheus and web metrics.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Authentication {
    pub sigv4: Option<Sigv4Config>,
    pub oauth2: Option<OAuth2Config>,
    pub basic_auth: Option<BasicAuth>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sigv4Config {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuth2Config {
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BasicAuth {
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebMetricHeader {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KayentaMetric {
    pub address: String,
    pub application: String,
    pub canary_config_name: String,
    pub metrics_account_name: String,
    pub configuration_account_name: String,
    pub storage_account_name: String,
    pub threshold: KayentaThreshold,
    pub scopes: Vec<KayentaScope>,
    pub lookback: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KayentaThreshold {
    pub pass: i64,
    pub marginal: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KayentaScope {
    pub name: String,
    pub control_scope: KayentaScopeDetail,
    pub experiment_scope: KayentaScopeDetail,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KayentaScopeDetail {
    pub scope: String,
    pub region: String,
    pub step: i64,
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebMetric {
    /// `GET` (default), `POST` or `PUT`.
    pub method: Option<String>,
    pub url: String,
    pub headers: Option<Vec<WebMetricHeader>>,
    pub body: Option<String>,
    pub timeout_seconds: Option<i64>,
    pub json_path: Option<String>,
    pub insecure: Option<bool>,
    /// Any JSON, sent as the request body.
    pub json_body: Option<Map<String, Value>>,
    pub authentication: Option<Authentication>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DatadogMetric {
    pub interval: Option<String>,
    pub query: Option<String>,
    pub queries: Option<BTreeMap<String, String>>,
    pub formula: Option<String>,
    pub api_version: Option<DatadogApiVersion>,
    pub aggregator: Option<DatadogAggregator>,
    pub secret_ref: Option<DatadogSecretRef>,
    pub request_timeout: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatadogApiVersion {
    V1,
    V2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatadogAggregator {
    Avg,
    Min,
    Max,
    Sum,
    Last,
    Percentile,
    Mean,
    L2norm,
    Area,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DatadogSecretRef {
    pub name: Option<String>,
    pub namespaced: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WavefrontMetric {
    pub address: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRelicMetric {
    pub profile: Option<String>,
    pub query: String,
    pub timeout: Option<i64>,
}

/// A Kubernetes Job whose success or failure is the measurement.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobMetric {
    pub metadata: Option<JobMetadata>,
    pub spec: batch::JobSpec,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobMetadata {
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudWatchMetric {
    pub interval: Option<String>,
    pub metric_data_queries: Vec<CloudWatchMetricDataQuery>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudWatchMetricDataQuery {
    pub id: Option<String>,
    pub expression: Option<String>,
    pub label: Option<String>,
    pub metric_stat: Option<CloudWatchMetricStat>,
    pub period: Option<IntOrString>,
    pub return_data: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudWatchMetricStat {
    pub metric: Option<CloudWatchMetricStatMetric>,
    pub period: Option<IntOrString>,
    pub stat: Option<String>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudWatchMetricStatMetric {
    pub dimensions: Option<Vec<CloudWatchMetricStatMetricDimension>>,
    pub metric_name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudWatchMetricStatMetricDimension {
    pub name: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphiteMetric {
    pub address: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InfluxdbMetric {
    pub profile: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SkyWalkingMetric {
    pub address: Option<String>,
    pub query: Option<String>,
    pub interval: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisRunStatus {
    pub phase: String,
    pub message: Option<String>,
    pub metric_results: Option<Vec<MetricResult>>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub run_summary: Option<RunSummary>,
    pub dry_run_summary: Option<RunSummary>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricResult {
    pub name: String,
    pub phase: String,
    pub measurements: Option<Vec<Measurement>>,
    pub message: Option<String>,
    pub count: Option<i32>,
    pub successful: Option<i32>,
    pub failed: Option<i32>,
    pub inconclusive: Option<i32>,
    pub error: Option<i32>,
    pub consecutive_error: Option<i32>,
    pub consecutive_success: Option<i32>,
    pub dry_run: Option<bool>,
    pub metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Measurement {
    pub phase: String,
    pub message: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub value: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
    pub resume_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunSummary {
    pub count: Option<i32>,
    pub successful: Option<i32>,
    pub failed: Option<i32>,
    pub inconclusive: Option<i32>,
    pub error: Option<i32>,
}
