//! Canary strategy rules (`ValidateRolloutStrategyCanary` in the controller), and the checks
//! of the objects a canary Rollout references (`getRolloutReferencedResources` and
//! `ValidateRolloutReferencedResources`: Services, Ingresses, Istio VirtualServices, Ambassador
//! Mappings, AppMesh routers).
//!
//! Strategy errors are reported under `spec.strategy.<x>` (without `canary`), reference errors
//! under `spec.strategy.canary.<x>`, as the controller does. The analysis templates of canary
//! steps (CR-04) are checked by the analysis family.

use crate::rules::util::Lookup as _;
use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::bluegreen::{check_anti_affinity, check_anti_affinity_weight};
use super::util::{atoi, go_duration, go_value, internal, invalid, items, required};
use super::version::RolloutsVersion::{self, V1_7, V1_8, V1_10};
use super::{Context, Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;

mod go;
mod ingress;
mod istio;
mod mesh;
mod services;
mod step_routes;
mod steps;
mod strategy;
#[cfg(test)]
mod tests;

use go::*;
use ingress::*;
use istio::*;
use mesh::*;
use services::*;
use step_routes::*;
use steps::*;
use strategy::*;

pub const RULES: &[&Rule] = &[
    &C_01, &C_02, &C_03, &C_04, &C_05, &C_06, &C_07, &C_08, &C_09, &C_10, &C_11, &C_12, &C_13,
    &C_14, &C_15, &C_16, &C_17, &C_18, &C_19, &C_20, &C_21, &C_22, &C_23, &C_24, &C_25, &C_26,
    &C_27, &C_28, &C_29, &CR_01, &CR_02, &CR_03, &CR_05, &CR_06, &CR_07, &CR_08, &CR_09, &CR_10,
    &CR_11, &CR_12,
];

const CANARY: &str = "/spec/strategy/canary";

/// The controller's message texts (`validation.go`).
const MAX_SURGE_MAX_UNAVAILABLE: &str = "MaxSurge and MaxUnavailable both can not be zero";
const DUPLICATED_SERVICES: &str = "This rollout uses the same service for the stable and canary services, but two different services are required.";
const PING_PONG_ROUTERS: &str =
    "Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only";
const PING_PONG_PROVIDED: &str =
    "Ping service and Pong service must to be set to use Ping-Pong feature";
const DUPLICATED_PING_PONG: &str = "This rollout uses the same service for the ping and pong services, but two different services are required.";
const ALB_ROOT_SERVICE: &str =
    "Root service field is required for the configuration with ALB and ping-pong feature enabled";
const TRAFFIC_ROUTING_SERVICES: &str =
    "Canary service and Stable service must to be set to use Traffic Routing";
const SCALE_DOWN_DELAY: &str = "Canary scaleDownDelaySeconds can only be used with traffic routing";
const DYNAMIC_STABLE_SCALE: &str =
    "Canary dynamicStableScale can only be used with traffic routing";
const DYNAMIC_WITH_DELAY: &str =
    "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds";
const MAX_TRAFFIC_WEIGHT: &str =
    "Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins";
const INVALID_STEP: &str = "Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause";
const INVALID_DURATION: &str = "Duration needs to be greater than 0";
const SET_CANARY_SCALE: &str = "SetCanaryScale requires TrafficRouting to be set";
const SET_HEADER_ROUTE: &str =
    "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix";
const SET_MIRROR_ROUTE: &str = "SetMirrorRoute requires TrafficRouting, supports Istio and Plugins";
const MATCH_MULTIPLE: &str =
    "StringMatch match value must have exactly one of the following: exact, regex, prefix";
const MATCH_MISSED: &str =
    "StringMatch value missed, match value must have one of the following: exact, regex, prefix";
const MATCH_ALB: &str = "SetHeaderRoute match value invalid. ALB supports 'exact' value only";
const ROUTE_NOT_MANAGED: &str =
    "Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes";
const WEIGHT_WITHOUT_ROUTING: &str =
    "Experiment template weight cannot be set unless TrafficRouting is enabled";
const WEIGHT_ROUTERS: &str = "Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time";
const ANALYSIS_ARGS: &str =
    "Analyses arguments must refer to valid object metadata supported by downwardAPI";

/// The annotation the controller puts on the Services it manages.
const MANAGED_BY: &str = "argo-rollouts.argoproj.io/managed-by-rollouts";
/// The pod-template-hash label the controller adds to Service selectors.
const HASH_LABEL: &str = "rollouts-pod-template-hash";

// ---------------------------------------------------------------------------------------------
// Access helpers

type Check = for<'a> fn(&Context<'a>, &mut Sink<'_>, &'a Object, &'a Value);

fn each<'a>(ctx: &Context<'a>, sink: &mut Sink<'_>, check: Check) {
    for (rollout, canary) in ctx.canaries() {
        check(ctx, sink, rollout, canary);
    }
}

/// A field that is present and not null (a non-nil pointer in Go).
fn set<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// A string field, `""` when absent.
fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The pointer of `parent/key` when the key is written, else of the parent mapping.
fn key_or(parent: &str, v: &Value, key: &str) -> String {
    if v.get(key).is_some() {
        format!("{parent}/{key}")
    } else {
        parent.to_owned()
    }
}

/// `canary.trafficRouting`, when set.
fn routing(canary: &Value) -> Option<&Value> {
    set(canary, "trafficRouting")
}

/// `len(trafficRouting.plugins) > 0`.
fn has_plugins(tr: &Value) -> bool {
    tr.get("plugins")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
}

fn steps(canary: &Value) -> impl Iterator<Item = (usize, &Value)> {
    items(canary.get("steps")).filter(|(_, s)| s.is_object())
}

fn step_ptr(i: usize) -> String {
    format!("{CANARY}/steps/{i}")
}
