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
use crate::manifest::Object;
use crate::report::Severity;

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

// ---------------------------------------------------------------------------------------------
// Spec rules (C-01 … C-29)

pub static C_01: Rule = Rule {
    id: "C-01",
    name: "canary-surge-or-unavailable",
    severity: Severity::Error,
    doc: "canary maxSurge and maxUnavailable must not both be zero (defaults 25%; \"0\", \"0%\" and non-numeric strings count as 0)",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let surge = set(canary, "maxSurge");
            let unavailable = set(canary, "maxUnavailable");
            let zero = |v: Option<&Value>| v.is_some_and(|v| int_or_percent(v) == 0);
            if let (true, true, Some(surge)) = (zero(surge), zero(unavailable), surge) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/maxSurge"),
                    invalid("spec.strategy.maxSurge", surge, MAX_SURGE_MAX_UNAVAILABLE),
                )
                .help("let at least one of maxSurge and maxUnavailable be above zero (e.g. `maxSurge: 1` or `maxUnavailable: 25%`), or the update can never start");
            }
        })
    },
};

pub static C_02: Rule = Rule {
    id: "C-02",
    name: "distinct-stable-canary-services",
    severity: Severity::Error,
    doc: "canaryService and stableService must name two different Services",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let stable = text(canary, "stableService");
            if !stable.is_empty() && stable == text(canary, "canaryService") {
                sink.report(
                    rollout,
                    &format!("{CANARY}/stableService"),
                    invalid("spec.strategy.stableService", &json!(stable), DUPLICATED_SERVICES),
                )
                .help("name two different Services: stableService selects the stable pods, canaryService the canary pods");
            }
        })
    },
};

pub static C_03: Rule = Rule {
    id: "C-03",
    name: "ping-pong-router",
    severity: Severity::Error,
    doc: "pingPong with traffic routing needs the ALB or Istio router, or a plugin",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let (Some(_), Some(tr)) = (set(canary, "pingPong"), routing(canary)) else {
                return;
            };
            let v = ctx.version;
            let supported = set(tr, "alb").is_some()
                || (v >= V1_7 && set(tr, "istio").is_some())
                || (v >= V1_10 && has_plugins(tr));
            if !supported {
                let (message, routers) = match v {
                    _ if v < V1_7 => (
                        "Ping-pong feature works with the ALB traffic routing only",
                        "`alb`",
                    ),
                    _ if v < V1_10 => (
                        "Ping-pong feature works with the ALB and Istio traffic routers only",
                        "`alb` or `istio`",
                    ),
                    _ => (PING_PONG_ROUTERS, "`alb` or `istio` (or a plugin)"),
                };
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting"),
                    invalid("spec.strategy.trafficRouting.alb", &Value::Null, message),
                )
                .help(format!("route with {routers} to use pingPong in Argo Rollouts {v}, or replace pingPong by stableService and canaryService"));
            }
        })
    },
};

/// C-04 / C-05: a ping or pong Service name must be set.
fn ping_pong_name(sink: &mut Sink<'_>, rollout: &Object, canary: &Value, key: &str) {
    let Some(pp) = set(canary, "pingPong") else {
        return;
    };
    if text(pp, key).is_empty() {
        sink.report(
            rollout,
            &key_or(&format!("{CANARY}/pingPong"), pp, key),
            invalid(
                &format!("spec.strategy.pingPong.{key}"),
                &json!(""),
                PING_PONG_PROVIDED,
            ),
        )
        .help(format!(
            "set `pingPong.{key}` to the Service that takes turns with the other one"
        ));
    }
}

pub static C_04: Rule = Rule {
    id: "C-04",
    name: "ping-service-required",
    severity: Severity::Error,
    doc: "pingPong.pingService must be set",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            ping_pong_name(sink, rollout, canary, "pingService")
        })
    },
};

pub static C_05: Rule = Rule {
    id: "C-05",
    name: "pong-service-required",
    severity: Severity::Error,
    doc: "pingPong.pongService must be set",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            ping_pong_name(sink, rollout, canary, "pongService")
        })
    },
};

pub static C_06: Rule = Rule {
    id: "C-06",
    name: "distinct-ping-pong-services",
    severity: Severity::Error,
    doc: "pingService and pongService must name two different Services (both empty counts as the same)",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(pp) = set(canary, "pingPong") else {
                return;
            };
            let ping = text(pp, "pingService");
            if ping == text(pp, "pongService") {
                sink.report(
                    rollout,
                    &key_or(&format!("{CANARY}/pingPong"), pp, "pingService"),
                    invalid("spec.strategy.pingPong.pingService", &json!(ping), DUPLICATED_PING_PONG),
                )
                .help("name two different Services: the controller switches the stable role between them");
            }
        })
    },
};

pub static C_07: Rule = Rule {
    id: "C-07",
    name: "alb-ping-pong-root-service",
    severity: Severity::Error,
    doc: "pingPong with the ALB router needs trafficRouting.alb.rootService",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let (Some(_), Some(tr)) = (set(canary, "pingPong"), routing(canary)) else {
                return;
            };
            let Some(alb) = set(tr, "alb") else {
                return;
            };
            if text(alb, "rootService").is_empty() {
                sink.report(
                    rollout,
                    &key_or(&format!("{CANARY}/trafficRouting/alb"), alb, "rootService"),
                    invalid(
                        "spec.strategy.trafficRouting.alb.rootService",
                        &json!(""),
                        ALB_ROOT_SERVICE,
                    ),
                )
                .help("set `alb.rootService` to the Service the Ingress rule sends traffic to");
            }
        })
    },
};

/// `requireCanaryStableServices`: routers that need both stableService and canaryService.
/// Before 1.7 every router did, except Istio with subsets and pingPong.
fn needs_both_services(canary: &Value, version: RolloutsVersion) -> bool {
    let Some(tr) = routing(canary) else {
        return false;
    };
    let ping_pong = set(canary, "pingPong").is_some();
    if version < V1_7 {
        let istio_subsets =
            set(tr, "istio").is_some_and(|istio| set(istio, "destinationRule").is_some());
        return !istio_subsets && !ping_pong;
    }
    let istio_without_subsets =
        set(tr, "istio").is_some_and(|istio| set(istio, "destinationRule").is_none());
    (!ping_pong && (set(tr, "alb").is_some() || istio_without_subsets))
        || ["smi", "apisix", "ambassador", "nginx", "appMesh", "traefik"]
            .iter()
            .any(|k| set(tr, k).is_some())
}

pub static C_08: Rule = Rule {
    id: "C-08",
    name: "traffic-routing-services",
    severity: Severity::Error,
    doc: "traffic routing (ALB, Istio host split, SMI, Apisix, Ambassador, Nginx, AppMesh, Traefik) needs stableService and canaryService",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            if !needs_both_services(canary, ctx.version) {
                return;
            }
            for key in ["stableService", "canaryService"] {
                if text(canary, key).is_empty() {
                    sink.report(
                        rollout,
                        &key_or(CANARY, canary, key),
                        invalid(&format!("spec.strategy.{key}"), &json!(""), TRAFFIC_ROUTING_SERVICES),
                    )
                    .help(format!("set `{key}`: the traffic router splits traffic between the stable and the canary Service"));
                }
            }
        })
    },
};

pub static C_09: Rule = Rule {
    id: "C-09",
    name: "scale-down-delay-needs-routing",
    severity: Severity::Error,
    doc: "canary scaleDownDelaySeconds can only be used with traffic routing",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if routing(canary).is_some() {
                return;
            }
            if let Some(delay) = set(canary, "scaleDownDelaySeconds") {
                sink.report(
                    rollout,
                    &format!("{CANARY}/scaleDownDelaySeconds"),
                    invalid("spec.strategy.scaleDownDelaySeconds", delay, SCALE_DOWN_DELAY),
                )
                .help("remove scaleDownDelaySeconds: without traffic routing the old pods stop taking traffic as soon as they are scaled down");
            }
        })
    },
};

pub static C_10: Rule = Rule {
    id: "C-10",
    name: "dynamic-stable-scale-needs-routing",
    severity: Severity::Error,
    doc: "canary dynamicStableScale can only be used with traffic routing",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if routing(canary).is_none() && canary.get("dynamicStableScale") == Some(&json!(true)) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/dynamicStableScale"),
                    invalid(
                        "spec.strategy.dynamicStableScale",
                        &json!(true),
                        DYNAMIC_STABLE_SCALE,
                    ),
                )
                .help("remove dynamicStableScale, or configure trafficRouting");
            }
        })
    },
};

pub static C_11: Rule = Rule {
    id: "C-11",
    name: "dynamic-stable-scale-without-delay",
    severity: Severity::Error,
    doc: "canary dynamicStableScale cannot be combined with scaleDownDelaySeconds",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if routing(canary).is_some()
                && set(canary, "scaleDownDelaySeconds").is_some()
                && canary.get("dynamicStableScale") == Some(&json!(true))
            {
                sink.report(
                    rollout,
                    &format!("{CANARY}/dynamicStableScale"),
                    invalid("spec.strategy.dynamicStableScale", &json!(true), DYNAMIC_WITH_DELAY),
                )
                .help("keep one of them: dynamicStableScale scales the stable pods down as traffic moves, scaleDownDelaySeconds keeps them until the delay ends");
            }
        })
    },
};

pub static C_12: Rule = Rule {
    id: "C-12",
    name: "max-traffic-weight-router",
    severity: Severity::Error,
    doc: "trafficRouting.maxTrafficWeight is only supported with the Nginx router and plugins",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            // Before 1.7 the field does not exist (API-07 says so).
            let Some(max) = set(tr, "maxTrafficWeight").filter(|_| ctx.version >= V1_7) else {
                return;
            };
            if set(tr, "nginx").is_none() && !has_plugins(tr) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting/maxTrafficWeight"),
                    invalid(
                        "spec.strategy.trafficRouting.maxTrafficWeight",
                        max,
                        MAX_TRAFFIC_WEIGHT,
                    ),
                )
                .help("remove maxTrafficWeight (weights are then out of 100)");
            }
        })
    },
};

pub static C_13: Rule = Rule {
    id: "C-13",
    name: "one-step-kind",
    severity: Severity::Error,
    doc: "a canary step sets at most one of setWeight, pause, experiment and analysis",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                let [w, p, e, a] = ["setWeight", "pause", "experiment", "analysis"]
                    .map(|k| set(step, k).is_some());
                if [w, p, e, a].iter().filter(|x| **x).count() > 1 {
                    let value = format!(
                        "step.Experiment: {e} step.Pause: {p} step.SetWeight: {w} step.Analysis: {a}"
                    );
                    sink.report(
                        rollout,
                        &step_ptr(i),
                        invalid(
                            &format!("spec.strategy.steps[{i}]"),
                            &json!(value),
                            invalid_step(ctx.version),
                        ),
                    )
                    .help("split the step: each step does one thing, and the steps run in order");
                }
            }
        })
    },
};

/// The step kinds `ValidateRolloutStrategyCanary` knows.
const STEP_KINDS: [&str; 8] = [
    "experiment",
    "pause",
    "setWeight",
    "analysis",
    "setCanaryScale",
    "setHeaderRoute",
    "setMirrorRoute",
    "plugin",
];

pub static C_14: Rule = Rule {
    id: "C-14",
    name: "step-kind-required",
    severity: Severity::Error,
    doc: "a canary step must set one of experiment, pause, setWeight, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute, plugin",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            // A plugin step came in 1.8: before, `plugin` is an unknown field, dropped.
            let plugins = ctx.version >= V1_8;
            for (i, step) in steps(canary) {
                if STEP_KINDS
                    .iter()
                    .filter(|k| plugins || **k != "plugin")
                    .all(|k| set(step, k).is_none())
                {
                    let value = if plugins {
                        "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true step.Plugin: true"
                    } else {
                        "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true"
                    };
                    sink.report(
                        rollout,
                        &step_ptr(i),
                        invalid(
                            &format!("spec.strategy.steps[{i}]"),
                            &json!(value),
                            invalid_step(ctx.version),
                        ),
                    )
                    .help("give the step one of setWeight, pause, experiment, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute or plugin (check the spelling)");
                }
            }
        })
    },
};

/// `InvalidStepMessage` of the release.
fn invalid_step(version: RolloutsVersion) -> &'static str {
    if version < V1_8 {
        "Step must have one of the following set: experiment, setWeight, setCanaryScale or pause"
    } else {
        INVALID_STEP
    }
}

/// `weightutil.MaxTrafficWeight`: `trafficRouting.maxTrafficWeight`, default 100.
fn max_traffic_weight(canary: &Value) -> i64 {
    routing(canary)
        .and_then(|tr| set(tr, "maxTrafficWeight"))
        .and_then(Value::as_i64)
        .unwrap_or(100)
}

pub static C_15: Rule = Rule {
    id: "C-15",
    name: "set-weight-range",
    severity: Severity::Error,
    doc: "setWeight must be between 0 and maxTrafficWeight (default 100)",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            // Before 1.7 the bound is 100 (maxTrafficWeight does not exist).
            let max = if ctx.version < V1_7 {
                100
            } else {
                max_traffic_weight(canary)
            };
            for (i, step) in steps(canary) {
                let Some(weight) = set(step, "setWeight").and_then(Value::as_i64) else {
                    continue;
                };
                if !(0..=max).contains(&weight) {
                    sink.report(
                        rollout,
                        &format!("{}/setWeight", step_ptr(i)),
                        invalid(
                            &format!("spec.strategy.steps[{i}].setWeight"),
                            &json!(weight),
                            &format!("SetWeight needs to be between 0 and {max}"),
                        ),
                    )
                    .help(format!("use a weight from 0 to {max} (the percentage of traffic, or of replicas without traffic routing)"));
                }
            }
        })
    },
};

pub static C_16: Rule = Rule {
    id: "C-16",
    name: "pause-duration-non-negative",
    severity: Severity::Error,
    doc: "pause.duration must not be negative (a string that is neither an integer nor a Go duration counts as -1)",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                let Some(pause) = set(step, "pause") else {
                    continue;
                };
                let seconds = pause_seconds(pause.get("duration"));
                if seconds < 0 {
                    sink.report(
                        rollout,
                        &key_or(&format!("{}/pause", step_ptr(i)), pause, "duration"),
                        invalid(
                            &format!("spec.strategy.steps[{i}].pause.duration"),
                            &json!(seconds),
                            INVALID_DURATION,
                        ),
                    )
                    .help("write seconds (`30`) or a Go duration (`30s`, `5m`, `1h`); leave the duration out to pause until promoted");
                }
            }
        })
    },
};

pub static C_17: Rule = Rule {
    id: "C-17",
    name: "set-canary-scale-needs-routing",
    severity: Severity::Error,
    doc: "a setCanaryScale step requires trafficRouting",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if routing(canary).is_some() {
                return;
            }
            for (i, step) in steps(canary) {
                if set(step, "setCanaryScale").is_some() {
                    sink.report(
                        rollout,
                        &format!("{}/setCanaryScale", step_ptr(i)),
                        required("spec.strategy.trafficRouting", SET_CANARY_SCALE),
                    )
                    .help("configure trafficRouting, or use setWeight: without a traffic router the weight is the share of replicas");
                }
            }
        })
    },
};

/// The routers that implement header routes (`setHeaderRoute`).
fn header_route_router(tr: Option<&Value>, version: RolloutsVersion) -> bool {
    tr.is_some_and(|tr| {
        set(tr, "istio").is_some()
            || set(tr, "alb").is_some()
            || set(tr, "apisix").is_some()
            || (version >= V1_7 && has_plugins(tr))
    })
}

pub static C_18: Rule = Rule {
    id: "C-18",
    name: "header-route-router",
    severity: Severity::Error,
    doc: "a setHeaderRoute step requires the Istio, ALB or Apisix router, or a plugin",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            if header_route_router(routing(canary), ctx.version) {
                return;
            }
            for (i, step) in steps(canary) {
                if let Some(route) = set(step, "setHeaderRoute") {
                    sink.report(
                        rollout,
                        &format!("{}/setHeaderRoute", step_ptr(i)),
                        invalid_json(
                            &format!("spec.strategy.steps[{i}].setHeaderRoute"),
                            &header_route_json(route),
                            SET_HEADER_ROUTE,
                        ),
                    )
                    .help("route traffic with Istio, ALB or Apisix (or a plugin) to use header routes, or remove the step");
                }
            }
        })
    },
};

/// C-19 / C-20: the `headerValue` of each `setHeaderRoute.match[j]`, checked for ALB or for
/// the other routers.
fn header_matches(
    sink: &mut Sink<'_>,
    rollout: &Object,
    canary: &Value,
    alb: bool,
    version: RolloutsVersion,
) {
    let tr = routing(canary);
    if !header_route_router(tr, version) || tr.and_then(|tr| set(tr, "alb")).is_some() != alb {
        return;
    }
    for (i, step) in steps(canary) {
        let Some(route) = set(step, "setHeaderRoute") else {
            continue;
        };
        for (j, m) in items(route.get("match")) {
            let base = format!("{}/setHeaderRoute/match/{j}", step_ptr(i));
            let at = key_or(&base, m, "headerValue");
            let path = format!("spec.strategy.steps[{i}].setHeaderRoute.match[{j}]");
            let value = m.get("headerValue");
            let problem = if alb {
                alb_match_problem(value)
            } else {
                string_match_problem(value)
            };
            if let Some(detail) = problem {
                let help = if alb {
                    "the ALB router matches headers exactly: write `headerValue: {exact: <value>}`"
                } else {
                    "write exactly one of `exact`, `regex`, `prefix` under headerValue"
                };
                sink.report(
                    rollout,
                    &at,
                    invalid_json(&path, &string_match_json(value), detail),
                )
                .help(help);
            }
        }
    }
}

/// `hasALBInvalidValues`.
fn alb_match_problem(value: Option<&Value>) -> Option<&'static str> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Some(MATCH_MISSED);
    };
    if text(value, "exact").is_empty()
        || !text(value, "regex").is_empty()
        || !text(value, "prefix").is_empty()
    {
        Some(MATCH_ALB)
    } else {
        None
    }
}

/// `hasMultipleMatchValues`: a StringMatch needs exactly one of exact, regex, prefix.
fn string_match_problem(value: Option<&Value>) -> Option<&'static str> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Some(MATCH_MISSED);
    };
    match ["exact", "regex", "prefix"]
        .iter()
        .filter(|k| !text(value, k).is_empty())
        .count()
    {
        0 => Some(MATCH_MISSED),
        1 => None,
        _ => Some(MATCH_MULTIPLE),
    }
}

pub static C_19: Rule = Rule {
    id: "C-19",
    name: "alb-header-route-match",
    severity: Severity::Error,
    doc: "with the ALB router a setHeaderRoute match needs a headerValue with `exact` only",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            header_matches(sink, rollout, canary, true, ctx.version)
        })
    },
};

pub static C_20: Rule = Rule {
    id: "C-20",
    name: "header-route-match",
    severity: Severity::Error,
    doc: "a setHeaderRoute match needs a headerValue with exactly one of exact, regex, prefix",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            header_matches(sink, rollout, canary, false, ctx.version)
        })
    },
};

pub static C_21: Rule = Rule {
    id: "C-21",
    name: "mirror-route-router",
    severity: Severity::Error,
    doc: "a setMirrorRoute step requires the Istio router or a plugin",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let plugins = ctx.version >= V1_10;
            let supported = routing(canary)
                .is_some_and(|tr| set(tr, "istio").is_some() || (plugins && has_plugins(tr)));
            if supported {
                return;
            }
            let message = if plugins {
                SET_MIRROR_ROUTE
            } else {
                "SetMirrorRoute requires TrafficRouting, supports Istio only"
            };
            for (i, step) in steps(canary) {
                if let Some(route) = set(step, "setMirrorRoute") {
                    sink.report(
                        rollout,
                        &format!("{}/setMirrorRoute", step_ptr(i)),
                        invalid_json(
                            &format!("spec.strategy.steps[{i}].setMirrorRoute"),
                            &mirror_route_json(route),
                            message,
                        ),
                    )
                    .help(if plugins {
                        "route traffic with Istio (or a plugin) to mirror traffic, or remove the step"
                    } else {
                        "route traffic with Istio to mirror traffic (plugin routers need Argo Rollouts 1.10), or remove the step"
                    });
                }
            }
        })
    },
};

pub static C_22: Rule = Rule {
    id: "C-22",
    name: "mirror-route-match",
    severity: Severity::Error,
    doc: "each method and path of a setMirrorRoute match needs exactly one of exact, regex, prefix",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                let Some(route) = set(step, "setMirrorRoute") else {
                    continue;
                };
                for (j, m) in items(route.get("match")) {
                    let path = format!("spec.strategy.steps[{i}].setMirrorRoute.match[{j}]");
                    // The controller checks `method` twice; the second, identical error is the
                    // same finding.
                    for key in ["method", "path"] {
                        let Some(value) = set(m, key) else {
                            continue;
                        };
                        if let Some(detail) = string_match_problem(Some(value)) {
                            sink.report(
                                rollout,
                                &format!("{}/setMirrorRoute/match/{j}/{key}", step_ptr(i)),
                                invalid_json(&path, &string_match_json(Some(value)), detail),
                            )
                            .help(format!(
                                "write exactly one of `exact`, `regex`, `prefix` under `{key}`"
                            ));
                        }
                    }
                }
            }
        })
    },
};

pub static C_23: Rule = Rule {
    id: "C-23",
    name: "managed-routes-required",
    severity: Severity::Error,
    doc: "setHeaderRoute and setMirrorRoute steps require trafficRouting.managedRoutes",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            if set(tr, "managedRoutes").is_some() {
                return;
            }
            let uses_routes = steps(canary).any(|(_, s)| {
                set(s, "setHeaderRoute").is_some() || set(s, "setMirrorRoute").is_some()
            });
            if uses_routes {
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting"),
                    required(
                        "spec.strategy.trafficRouting.managedRoutes",
                        "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
                    ),
                )
                .help("list the routes the steps create under `trafficRouting.managedRoutes` (`- name: <route>`), in priority order");
            }
        })
    },
};

pub static C_24: Rule = Rule {
    id: "C-24",
    name: "step-route-managed",
    severity: Severity::Error,
    doc: "the route a setHeaderRoute or setMirrorRoute step names must be listed in trafficRouting.managedRoutes",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(managed) = routing(canary).and_then(|tr| set(tr, "managedRoutes")) else {
                return;
            };
            let names: Vec<&str> = items(Some(managed)).map(|(_, r)| text(r, "name")).collect();
            for (i, step) in steps(canary) {
                for key in ["setHeaderRoute", "setMirrorRoute"] {
                    let Some(route) = set(step, key) else {
                        continue;
                    };
                    let name = text(route, "name");
                    if !names.contains(&name) {
                        sink.report(
                            rollout,
                            &key_or(&format!("{}/{key}", step_ptr(i)), route, "name"),
                            invalid(
                                &format!("spec.strategy.steps[{i}].{key}"),
                                &json!(name),
                                ROUTE_NOT_MANAGED,
                            ),
                        )
                        .help(format!("add `- name: {name}` to trafficRouting.managedRoutes, or fix the route name"));
                    }
                }
            }
        })
    },
};

/// C-25 / C-26: the weight of the templates of experiment steps.
fn experiment_weights(
    sink: &mut Sink<'_>,
    rollout: &Object,
    canary: &Value,
    detail: &str,
    help: &str,
) {
    for (i, step) in steps(canary) {
        let Some(experiment) = set(step, "experiment") else {
            continue;
        };
        for (k, template) in items(experiment.get("templates")) {
            if let Some(weight) = set(template, "weight") {
                sink.report(
                    rollout,
                    &format!("{}/experiment/templates/{k}/weight", step_ptr(i)),
                    invalid(
                        &format!("spec.strategy.steps[{i}].experiment.templates[{k}].weight"),
                        weight,
                        detail,
                    ),
                )
                .help(help);
            }
        }
    }
}

pub static C_25: Rule = Rule {
    id: "C-25",
    name: "experiment-weight-needs-routing",
    severity: Severity::Error,
    doc: "an experiment template weight requires trafficRouting",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if routing(canary).is_none() {
                experiment_weights(
                    sink,
                    rollout,
                    canary,
                    WEIGHT_WITHOUT_ROUTING,
                    "remove the weight (the experiment then gets no traffic share), or configure trafficRouting",
                );
            }
        })
    },
};

pub static C_26: Rule = Rule {
    id: "C-26",
    name: "experiment-weight-router",
    severity: Severity::Error,
    doc: "an experiment template weight is only supported with the SMI, ALB and Istio routers and plugins",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            let plugins = ctx.version >= V1_8;
            if ["alb", "smi", "istio"].iter().all(|k| set(tr, k).is_none())
                && !(plugins && has_plugins(tr))
            {
                experiment_weights(
                    sink,
                    rollout,
                    canary,
                    if plugins {
                        WEIGHT_ROUTERS
                    } else {
                        "Experiment template weight is only available for TrafficRouting with SMI, ALB, and Istio at this time"
                    },
                    "remove the weight: this traffic router cannot send traffic to experiment pods",
                );
            }
        })
    },
};

pub static C_27: Rule = Rule {
    id: "C-27",
    name: "analysis-args-field-ref",
    severity: Severity::Error,
    doc: "fieldRef.fieldPath of canary step analysis arguments must be metadata the downward API supports",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                // The arguments of the experiment's analyses, then of the analysis step.
                let mut args: Vec<(String, &Value)> = Vec::new();
                if let Some(experiment) = set(step, "experiment") {
                    for (a, analysis) in items(experiment.get("analyses")) {
                        for (k, arg) in items(analysis.get("args")) {
                            let at = format!("{}/experiment/analyses/{a}/args/{k}", step_ptr(i));
                            args.push((at, arg));
                        }
                    }
                }
                if let Some(analysis) = set(step, "analysis") {
                    for (k, arg) in items(analysis.get("args")) {
                        args.push((format!("{}/analysis/args/{k}", step_ptr(i)), arg));
                    }
                }
                let all = Value::Array(args.iter().map(|(_, a)| argument_json(a)).collect());
                for (at, arg) in &args {
                    let Some(path) = arg.lookup("/valueFrom/fieldRef/fieldPath") else {
                        continue;
                    };
                    let path = path.as_str().unwrap_or("");
                    if path.starts_with("metadata") && !downward_api_path(path) {
                        sink.report(
                            rollout,
                            &format!("{at}/valueFrom/fieldRef/fieldPath"),
                            invalid_json(&format!("spec.strategy.steps[{i}].analyses"), &all, ANALYSIS_ARGS),
                        )
                        .help("use metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations, or metadata.labels['<key>'] / metadata.annotations['<key>']");
                    }
                }
            }
        })
    },
};

pub static C_28: Rule = Rule {
    id: "C-28",
    name: "canary-anti-affinity-one-kind",
    severity: Severity::Error,
    doc: "canary antiAffinity must set exactly one of preferredDuringSchedulingIgnoredDuringExecution and requiredDuringSchedulingIgnoredDuringExecution",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            check_anti_affinity(sink, rollout, canary, CANARY)
        })
    },
};

pub static C_29: Rule = Rule {
    id: "C-29",
    name: "canary-anti-affinity-weight-range",
    severity: Severity::Error,
    doc: "a preferred canary antiAffinity weight must be between 1 and 100",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            check_anti_affinity_weight(sink, rollout, canary, CANARY)
        })
    },
};

// ---------------------------------------------------------------------------------------------
// Referenced resources (CR-01 … CR-12; CR-04 is in the analysis family)

/// A Service the canary strategy names: the key under `canary`, and its name.
struct ServiceRef<'v> {
    /// JSON pointer suffix under `canary` (`stableService`, `pingPong/pingService`).
    key: &'static str,
    /// The controller's field path.
    path: &'static str,
    name: &'v str,
}

/// Stable, canary, then (with pingPong) ping and pong: the controller's lookup order.
fn service_refs(canary: &Value) -> Vec<ServiceRef<'_>> {
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
fn not_found(resource: &str, name: &str) -> String {
    format!("{resource} {} not found", go_value(&json!(name)))
}

/// An object of `group`/`kind` named `name` in `namespace` (the referencing object's when
/// `None`); objects without a namespace match any.
fn find_in<'a>(
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
fn pod_labels<'a>(ctx: &Context<'a>, rollout: &'a Object) -> Option<Option<&'a Value>> {
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

/// `ValidateRolloutNginxIngressesConfig` / `ValidateRolloutAlbIngressesConfig`: exactly one of
/// the single and the list field.
fn ingress_config_problem(router: &Value, single: &str, list: &str) -> Option<&'static str> {
    let multiple = set(router, list).is_some();
    let one = !text(router, single).is_empty();
    match (multiple, one) {
        (true, true) => Some("Both are configured."),
        (false, false) => Some("Neither are configured."),
        _ => None,
    }
}

fn nginx_problem(tr: &Value) -> Option<&'static str> {
    set(tr, "nginx").and_then(|n| ingress_config_problem(n, "stableIngress", "stableIngresses"))
}

fn alb_problem(tr: &Value) -> Option<&'static str> {
    set(tr, "alb").and_then(|a| ingress_config_problem(a, "ingress", "ingresses"))
}

pub static CR_05: Rule = Rule {
    id: "CR-05",
    name: "nginx-stable-ingress-config",
    severity: Severity::Error,
    doc: "the Nginx router needs exactly one of stableIngress and stableIngresses",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            if let Some(which) = nginx_problem(tr) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting/nginx"),
                    internal(
                        "spec.strategy.canary.trafficRouting.nginx",
                        &format!("Either StableIngress or StableIngresses must be configured. {which}"),
                    ),
                )
                .help("name the stable Ingress with `stableIngress: <name>`, or several with `stableIngresses: [...]`, not both");
            }
        })
    },
};

pub static CR_06: Rule = Rule {
    id: "CR-06",
    name: "alb-ingress-config",
    severity: Severity::Error,
    doc: "the ALB router needs exactly one of ingress and ingresses",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            if let Some(which) = alb_problem(tr) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting/alb"),
                    internal(
                        "spec.strategy.canary.trafficRouting.alb",
                        &format!("Either Ingress or Ingresses must be configured. {which}"),
                    ),
                )
                .help("name the Ingress with `ingress: <name>`, or several with `ingresses: [...]`, not both");
            }
        })
    },
};

/// An Ingress the canary traffic router names.
struct IngressRef<'v> {
    name: &'v str,
    /// Where the Rollout names it.
    pointer: String,
    /// The path and value of the controller's NotFound error.
    missing_path: &'static str,
    missing_value: Value,
}

/// The Ingresses the controller looks up (`getReferencedIngresses`): the ALB router's, else
/// the Nginx router's. Nothing when CR-05 or CR-06 fails (the controller stops there).
fn ingress_refs(canary: &Value) -> Vec<IngressRef<'_>> {
    let Some(tr) = routing(canary) else {
        return Vec::new();
    };
    if nginx_problem(tr).is_some() || alb_problem(tr).is_some() {
        return Vec::new();
    }
    let (router, key, single, list, single_path, list_path) = if let Some(alb) = set(tr, "alb") {
        (
            alb,
            "alb",
            "ingress",
            "ingresses",
            "spec.strategy.canary.trafficRouting.alb.ingress",
            "spec.strategy.canary.trafficRouting.alb.ingresses",
        )
    } else if let Some(nginx) = set(tr, "nginx") {
        (
            nginx,
            "nginx",
            "stableIngress",
            "stableIngresses",
            "spec.strategy.canary.trafficRouting.nginx.stableIngress",
            // sic: the controller writes this path with a capital S.
            "spec.strategy.canary.trafficRouting.nginx.StableIngresses",
        )
    } else {
        return Vec::new();
    };
    let base = format!("{CANARY}/trafficRouting/{key}");
    if let Some(list_value) = set(router, list) {
        items(Some(list_value))
            .map(|(k, name)| IngressRef {
                name: name.as_str().unwrap_or(""),
                pointer: format!("{base}/{list}/{k}"),
                missing_path: list_path,
                missing_value: list_value.clone(),
            })
            .collect()
    } else {
        let name = text(router, single);
        vec![IngressRef {
            name,
            pointer: format!("{base}/{single}"),
            missing_path: single_path,
            missing_value: json!(name),
        }]
    }
}

fn find_ingress<'a>(ctx: &Context<'a>, from: &Object, name: &str) -> Option<&'a Object> {
    ctx.find("networking.k8s.io", "Ingress", from, name)
        .or_else(|| ctx.find("extensions", "Ingress", from, name))
}

pub static CR_07: Rule = Rule {
    id: "CR-07",
    name: "canary-ingresses-exist",
    severity: Severity::Error,
    doc: "the Ingresses the ALB or Nginx router names must exist",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            for ing in ingress_refs(canary) {
                if find_ingress(ctx, rollout, ing.name).is_none() {
                    sink.missing(
                        ctx,
                        rollout,
                        &ing.pointer,
                        invalid_json(
                            ing.missing_path,
                            &ing.missing_value,
                            &not_found("ingress.networking.k8s.io", ing.name),
                        ),
                    )
                    .help(format!(
                        "add the Ingress `{}` to the manifests, or fix the name",
                        ing.name
                    ));
                }
            }
        })
    },
};

/// `ingressutil.HasRuleWithService`: a rule path whose backend is the Service
/// (`backend.service.name`, or `backend.serviceName` in v1beta1 Ingresses).
fn ingress_has_backend(ingress: &Value, service: &str) -> bool {
    items(ingress.lookup("/spec/rules")).any(|(_, rule)| {
        items(rule.lookup("/http/paths")).any(|(_, path)| {
            let backend = path.get("backend");
            let name = backend
                .and_then(|b| b.lookup("/service/name"))
                .or_else(|| backend.and_then(|b| b.get("serviceName")))
                .and_then(Value::as_str);
            name == Some(service)
        })
    })
}

fn names_contain(list: Option<&Value>, name: &str) -> bool {
    items(list).any(|(_, v)| v.as_str() == Some(name))
}

pub static CR_08: Rule = Rule {
    id: "CR-08",
    name: "canary-ingress-backend",
    severity: Severity::Error,
    doc: "an Ingress of the ALB or Nginx router must have a rule whose backend is the stable Service (ALB: the rootService when set)",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            for ing in ingress_refs(canary) {
                let Some(ingress) = find_ingress(ctx, rollout, ing.name) else {
                    continue;
                };
                let name = ingress.id.name.as_str();
                let stable = text(canary, "stableService");
                // `ValidateIngress`: the Nginx router's Ingresses first, then the ALB router's.
                let nginx = set(tr, "nginx").filter(|n| {
                    text(n, "stableIngress") == name
                        || names_contain(set(n, "stableIngresses"), name)
                });
                let alb = set(tr, "alb").filter(|a| {
                    text(a, "ingress") == name || names_contain(set(a, "ingresses"), name)
                });
                let (path, value, service) = if let Some(nginx) = nginx {
                    if names_contain(set(nginx, "stableIngresses"), name) {
                        (
                            "spec.strategy.canary.trafficRouting.nginx.stableIngresses",
                            name,
                            stable,
                        )
                    } else {
                        (
                            "spec.strategy.canary.trafficRouting.nginx.stableIngress",
                            text(nginx, "stableIngress"),
                            stable,
                        )
                    }
                } else if let Some(alb) = alb {
                    let root = text(alb, "rootService");
                    let service = if root.is_empty() { stable } else { root };
                    if names_contain(set(alb, "ingresses"), name) {
                        (
                            "spec.strategy.canary.trafficRouting.alb.ingresses",
                            name,
                            service,
                        )
                    } else {
                        (
                            "spec.strategy.canary.trafficRouting.alb.ingress",
                            text(alb, "ingress"),
                            service,
                        )
                    }
                } else {
                    continue;
                };
                if !ingress_has_backend(&ingress.value, service) {
                    sink.report(
                        rollout,
                        &ing.pointer,
                        invalid(
                            path,
                            &json!(value),
                            &format!("ingress `{name}` has no rules using service {service} backend"),
                        ),
                    )
                    .help(format!("add a rule to Ingress `{name}` whose backend is the Service `{service}`: the traffic router splits the traffic of that rule between the stable and the canary Service"));
                }
            }
        })
    },
};

/// `ValidateRolloutVirtualServicesConfig`: exactly one of virtualService and virtualServices.
fn istio_config_ok(istio: &Value) -> bool {
    set(istio, "virtualServices").is_some() != set(istio, "virtualService").is_some()
}

pub static CR_09: Rule = Rule {
    id: "CR-09",
    name: "istio-virtual-service-config",
    severity: Severity::Error,
    doc: "the Istio router needs exactly one of virtualService and virtualServices",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(istio) = routing(canary).and_then(|tr| set(tr, "istio")) else {
                return;
            };
            if !istio_config_ok(istio) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting/istio"),
                    internal(
                        "spec.strategy.canary.trafficRouting.istio",
                        "either VirtualService or VirtualServices must be configured",
                    ),
                )
                .help("name the VirtualService with `virtualService: {name: ...}`, or several with `virtualServices: [...]`, not both");
            }
        })
    },
};

/// `GetVirtualServiceNamespaceName`: `name`, `name.namespace` or `name.namespace.svc.cluster.local`-
/// style references.
fn virtual_service_name(reference: &str) -> (Option<&str>, &str) {
    let reference = reference
        .strip_suffix(".cluster.local")
        .unwrap_or(reference);
    match reference.rsplit_once('.') {
        Some((name, namespace)) => (Some(namespace), name),
        None => (None, reference),
    }
}

/// `trafficrouting.GetStableAndCanaryServices(rollout, false)`.
fn stable_and_canary<'v>(rollout: &'v Value, canary: &'v Value) -> (&'v str, &'v str) {
    let stable = text(canary, "stableService");
    let canary_svc = text(canary, "canaryService");
    if let Some(pp) = set(canary, "pingPong")
        && stable.is_empty()
        && canary_svc.is_empty()
    {
        let ping = text(pp, "pingService");
        let pong = text(pp, "pongService");
        let stable_ping = rollout
            .lookup("/status/canary/stablePingPong")
            .and_then(Value::as_str)
            == Some("ping");
        return if stable_ping {
            (ping, pong)
        } else {
            (pong, ping)
        };
    }
    (stable, canary_svc)
}

pub static CR_10: Rule = Rule {
    id: "CR-10",
    name: "istio-virtual-service-routes",
    severity: Severity::Error,
    doc: "the Istio VirtualServices must exist and have the routes the Rollout names, each with the stable and canary destinations",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(istio) = routing(canary).and_then(|tr| set(tr, "istio")) else {
                return;
            };
            let base = format!("{CANARY}/trafficRouting/istio");
            if let Some(dr) = set(istio, "destinationRule") {
                let name = text(dr, "name");
                if !name.is_empty()
                    && find_in(
                        ctx,
                        "networking.istio.io",
                        "DestinationRule",
                        rollout,
                        None,
                        name,
                    )
                    .is_none()
                {
                    sink.missing(
                        ctx,
                        rollout,
                        &format!("{base}/destinationRule/name"),
                        invalid(
                            "spec.strategy.canary.trafficRouting.istio.destinationRule.name",
                            &json!(name),
                            &not_found("destinationrules.networking.istio.io", name),
                        ),
                    )
                    .help(format!("add the DestinationRule `{name}` with the stable and canary subsets; without it the controller cannot update the subsets (it reports a reconcile error, not an invalid spec)"));
                }
            }
            if !istio_config_ok(istio) {
                return;
            }
            let (entries, path): (Vec<(String, &Value)>, &str) =
                if let Some(list) = set(istio, "virtualServices") {
                    (
                        items(Some(list))
                            .map(|(k, v)| (format!("{base}/virtualServices/{k}"), v))
                            .collect(),
                        "spec.strategy.canary.trafficRouting.istio.virtualServices.name",
                    )
                } else {
                    let vs = set(istio, "virtualService").unwrap_or(&Value::Null);
                    (
                        vec![(format!("{base}/virtualService"), vs)],
                        "spec.strategy.canary.trafficRouting.istio.virtualService.name",
                    )
                };
            let (stable, canary_svc) = stable_and_canary(&rollout.value, canary);
            let managed: Vec<&str> = items(routing(canary).and_then(|tr| tr.get("managedRoutes")))
                .map(|(_, r)| text(r, "name"))
                .collect();
            let subsets = set(istio, "destinationRule")
                .map(|dr| (text(dr, "stableSubsetName"), text(dr, "canarySubsetName")));
            let routes = Routes {
                stable,
                canary: canary_svc,
                subsets,
                managed: &managed,
            };
            for (at, entry) in entries {
                let (namespace, name) = virtual_service_name(text(entry, "name"));
                let at = key_or(&at, entry, "name");
                let Some(vs) = find_in(
                    ctx,
                    "networking.istio.io",
                    "VirtualService",
                    rollout,
                    namespace,
                    name,
                ) else {
                    sink.missing(
                        ctx,
                        rollout,
                        &at,
                        invalid(
                            path,
                            &json!(name),
                            &not_found("virtualservices.networking.istio.io", name),
                        ),
                    )
                    .help(format!(
                        "add the VirtualService `{name}` to the manifests, or fix the name"
                    ));
                    continue;
                };
                for detail in routes.problems(entry, &vs.value) {
                    sink.report(rollout, &at, invalid(path, &json!(name), &detail))
                        .help(format!("make the routes of VirtualService `{name}` that the Rollout names (or its only route) send traffic to both the stable and the canary destination"));
                }
            }
        })
    },
};

pub static CR_11: Rule = Rule {
    id: "CR-11",
    name: "ambassador-mappings",
    severity: Severity::Error,
    doc: "the Ambassador router needs at least one Mapping; each must exist and must not set a weight",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(ambassador) = routing(canary).and_then(|tr| set(tr, "ambassador")) else {
                return;
            };
            let base = format!("{CANARY}/trafficRouting/ambassador");
            let path = "spec.strategy.canary.trafficRouting.ambassador.mappings";
            let mappings: Vec<(usize, &Value)> = items(ambassador.get("mappings")).collect();
            if mappings.is_empty() {
                sink.report(
                    rollout,
                    &key_or(&base, ambassador, "mappings"),
                    invalid(path, &Value::Null, "must provide at least one mapping"),
                )
                .help("list the Ambassador Mappings of the stable Service under `mappings`");
                return;
            }
            for (k, name) in mappings {
                let name = name.as_str().unwrap_or("");
                let mapping = ctx
                    .find("getambassador.io", "Mapping", rollout, name)
                    .or_else(|| ctx.find("x.getambassador.io", "AmbassadorMapping", rollout, name));
                let Some(mapping) = mapping else {
                    sink.missing(
                        ctx,
                        rollout,
                        &format!("{base}/mappings/{k}"),
                        invalid(
                            path,
                            &json!(name),
                            &not_found("mappings.getambassador.io", name),
                        ),
                    )
                    .help(format!(
                        "add the Mapping `{name}` to the manifests, or fix the name"
                    ));
                    continue;
                };
                let weight = mapping
                    .value
                    .lookup("/spec/weight")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if weight != 0 {
                    sink.report(
                        mapping,
                        "/spec/weight",
                        invalid(
                            "spec.weight",
                            &json!(name),
                            &format!("Ambassador mapping {} can not define weight", go_value(&json!(name))),
                        ),
                    )
                    .help("remove the weight: the controller creates a canary Mapping and sets the weights itself");
                }
            }
        })
    },
};

pub static CR_12: Rule = Rule {
    id: "CR-12",
    name: "appmesh-virtual-router",
    severity: Severity::Error,
    doc: "the AppMesh router needs a virtualService whose VirtualRouter exists and has routes with exactly two weighted targets",
    check: |ctx, sink| {
        each(ctx, sink, |ctx, sink, rollout, canary| {
            let Some(appmesh) = routing(canary).and_then(|tr| set(tr, "appMesh")) else {
                return;
            };
            let base = format!("{CANARY}/trafficRouting/appMesh");
            let path = "spec.strategy.canary.trafficRouting.appmesh.virtualService";
            let Some(reference) = set(appmesh, "virtualService") else {
                sink.report(
                    rollout,
                    &key_or(&base, appmesh, "virtualService"),
                    invalid(path, &Value::Null, "must provide virtual-service"),
                )
                .help("name the AppMesh VirtualService with `virtualService: {name: ...}`");
                return;
            };
            let name = text(reference, "name");
            let at = key_or(&format!("{base}/virtualService"), reference, "name");
            // The controller's value is `<name>.<rollout namespace>`.
            let value = match &rollout.id.namespace {
                Some(ns) => format!("{name}.{ns}"),
                None => name.to_owned(),
            };
            let Some(vs) = find_in(
                ctx,
                "appmesh.k8s.aws",
                "VirtualService",
                rollout,
                None,
                name,
            ) else {
                sink.missing(
                    ctx,
                    rollout,
                    &at,
                    invalid(
                        path,
                        &json!(value),
                        &not_found("virtualservices.appmesh.k8s.aws", name),
                    ),
                )
                .help(format!(
                    "add the AppMesh VirtualService `{name}` to the manifests, or fix the name"
                ));
                return;
            };
            // A VirtualService without a virtual router is a reconcile error, not an invalid
            // spec; it is left alone here.
            let Some(router_ref) = vs
                .value
                .lookup("/spec/provider/virtualRouter/virtualRouterRef")
                .filter(|v| v.is_object())
            else {
                return;
            };
            let router_name = text(router_ref, "name");
            let router_ns = Some(text(router_ref, "namespace"))
                .filter(|s| !s.is_empty())
                .or(vs.id.namespace.as_deref());
            let Some(router) = find_in(
                ctx,
                "appmesh.k8s.aws",
                "VirtualRouter",
                vs,
                router_ns,
                router_name,
            ) else {
                sink.missing(
                    ctx,
                    rollout,
                    &at,
                    invalid(path, &json!(value), &not_found("virtualrouters.appmesh.k8s.aws", router_name)),
                )
                .help(format!("add the AppMesh VirtualRouter `{router_name}` that VirtualService `{name}` routes through"));
                return;
            };
            if let Some((pointer, message)) = virtual_router_problem(&router.value, &router.id.name)
            {
                sink.report(router, &pointer, message)
                    .help("give every route of the VirtualRouter an action with exactly two weightedTargets: the stable and the canary VirtualNode");
            }
        })
    },
};

/// `ValidateAppMeshVirtualRouter`: the first problem, as a pointer into the VirtualRouter and
/// the controller's message.
fn virtual_router_problem(router: &Value, name: &str) -> Option<(String, String)> {
    let value = json!(name);
    let routes = router
        .lookup("/spec/routes")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty());
    let Some(routes) = routes else {
        let at = if router.lookup("/spec/routes").is_some() {
            "/spec/routes"
        } else {
            "/spec"
        };
        return Some((
            at.to_owned(),
            invalid(
                "spec.routes",
                &value,
                &format!("No routes defined for AppMesh virtual-router {name}"),
            ),
        ));
    };
    for (idx, route) in routes.iter().enumerate() {
        let at = format!("/spec/routes/{idx}");
        let Some(route) = route.as_object() else {
            return Some((
                at,
                invalid(
                    &format!("spec.routes[{idx}]"),
                    &value,
                    &format!(
                        "Invalid route was found for AppMesh virtual-router {name} at index {idx}"
                    ),
                ),
            ));
        };
        let route_name = go_s(route.get("name").unwrap_or(&Value::Null));
        // `appmesh.GetRouteRule`: the first route type present.
        let mut rule = None;
        for kind in ["httpRoute", "tcpRoute", "http2Route", "grpcRoute"] {
            match route.get(kind) {
                None => continue,
                Some(Value::Object(r)) => {
                    rule = Some((kind, r));
                    break;
                }
                Some(other) => {
                    let err = format!(
                        ".{kind} accessor error: {} is of the type {}, expected map[string]interface{{}}",
                        go_v(other),
                        go_type(other)
                    );
                    return Some((
                        format!("{at}/{kind}"),
                        invalid(
                            &format!("spec.routes[{idx}]"),
                            &value,
                            &format!(
                                "Error getting route details for AppMesh virtual-router {name} and route {route_name}. Error: {err}"
                            ),
                        ),
                    ));
                }
            }
        }
        let Some((kind, rule)) = rule else {
            return Some((
                at,
                invalid(
                    &format!("spec.routes[{idx}]"),
                    &value,
                    &format!(
                        "Error getting route details for AppMesh virtual-router {name} and route {route_name}. Error: Route has unsupported route type"
                    ),
                ),
            ));
        };
        let targets_path = format!("spec.routes[{idx}].{kind}.action.weightedTargets");
        let targets = rule
            .get("action")
            .and_then(|a| a.get("weightedTargets"))
            .and_then(Value::as_array);
        let Some(targets) = targets else {
            let at = if rule
                .get("action")
                .is_some_and(|a| a.get("weightedTargets").is_some())
            {
                format!("{at}/{kind}/action/weightedTargets")
            } else if rule.contains_key("action") {
                format!("{at}/{kind}/action")
            } else {
                format!("{at}/{kind}")
            };
            return Some((
                at,
                invalid(
                    &targets_path,
                    &value,
                    &format!(
                        "Invalid route action found for AppMesh virtual-router {name} and route {route_name}"
                    ),
                ),
            ));
        };
        if targets.len() != 2 {
            return Some((
                format!("{at}/{kind}/action/weightedTargets"),
                invalid(
                    &targets_path,
                    &value,
                    &format!(
                        "Invalid number of weightedTargets ({}) for AppMesh virtual-router {name} and route {route_name}, expected 2",
                        targets.len()
                    ),
                ),
            ));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Istio VirtualService routes (`ValidateVirtualService`)

/// What the route checks of one Rollout need.
struct Routes<'v> {
    stable: &'v str,
    canary: &'v str,
    /// `istio.destinationRule`: (stableSubsetName, canarySubsetName).
    subsets: Option<(&'v str, &'v str)>,
    /// The names in `trafficRouting.managedRoutes`.
    managed: &'v [&'v str],
}

impl Routes<'_> {
    /// The controller's messages for one VirtualService named by `entry` (an item of
    /// `virtualServices`, or `virtualService`).
    fn problems(&self, entry: &Value, vs: &Value) -> Vec<String> {
        let spec = vs.get("spec").unwrap_or(&Value::Null);
        let list = |k: &str| spec.get(k).and_then(Value::as_array);
        let (http, tls, tcp) = (list("http"), list("tls"), list("tcp"));
        let mut out = Vec::new();
        if http.is_none() && tls.is_none() && tcp.is_none() {
            out.push(
                "Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService"
                    .to_owned(),
            );
        }
        if let Some(http) = http {
            if !http.iter().all(http_route_decodes) {
                out.push("Unable to get HTTP routes for Istio VirtualService".to_owned());
            } else if let Err(e) = self.http(entry, http) {
                out.push(format!(
                    "Istio VirtualService has invalid HTTP routes. Error: {e}"
                ));
            }
        }
        if let Some(tls) = tls {
            if !tls.iter().all(tls_route_decodes) {
                out.push("Unable to get TLS routes for Istio VirtualService".to_owned());
            } else if let Err(e) = self.l4(entry, tls, true) {
                out.push(format!(
                    "Istio VirtualService has invalid TLS routes. Error: {e}"
                ));
            }
        }
        if let Some(tcp) = tcp {
            if !tcp.iter().all(tcp_route_decodes) {
                out.push("Unable to get TCP routes for Istio VirtualService".to_owned());
            } else if let Err(e) = self.l4(entry, tcp, false) {
                out.push(format!(
                    "Istio VirtualService has invalid TCP routes. Error: {e}"
                ));
            }
        }
        out
    }

    /// `ValidateHTTPRoutes`.
    fn http(&self, entry: &Value, routes: &[Value]) -> Result<(), String> {
        let names: Vec<&str> = items(entry.get("routes"))
            .map(|(_, v)| v.as_str().unwrap_or(""))
            .collect();
        let route_name = |r: &Value| text(r, "name").to_owned();
        // `getHttpRouteIndexesToPatch`.
        let mut indexes = Vec::new();
        if names.is_empty() {
            if routes.len() == 1 {
                indexes.push(0);
            } else if let Some(i) = routes.iter().position(|r| route_name(r).is_empty()) {
                indexes.push(i);
            }
        } else {
            for name in &names {
                match routes.iter().position(|r| route_name(r) == *name) {
                    Some(i) => indexes.push(i),
                    None => {
                        return Err(format!(
                            "HTTP Route '{name}' is not found in the defined Virtual Service."
                        ));
                    }
                }
            }
        }
        for i in indexes {
            self.destinations(&routes[i])?;
        }
        let unmanaged = routes
            .iter()
            .filter(|r| !self.managed.contains(&text(r, "name")))
            .count();
        if names.is_empty() && unmanaged > 1 {
            return Err("spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes".to_owned());
        }
        Ok(())
    }

    /// `ValidateTlsRoutes` / `ValidateTcpRoutes`: routes are chosen by port (and SNI hosts).
    fn l4(&self, entry: &Value, routes: &[Value], tls: bool) -> Result<(), String> {
        let (key, kind, field) = if tls {
            ("tlsRoutes", "TLS", "tls")
        } else {
            ("tcpRoutes", "TCP", "tcp")
        };
        let wanted: Vec<&Value> = items(entry.get(key)).map(|(_, v)| v).collect();
        let mut indexes = Vec::new();
        if wanted.is_empty() {
            // The controller takes the first route (and would fail on an empty list).
            if !routes.is_empty() {
                indexes.push(0);
            }
        } else {
            for want in &wanted {
                let port = want.get("port").and_then(Value::as_i64).unwrap_or(0);
                let hosts: Vec<&str> = items(want.get("sniHosts"))
                    .map(|(_, h)| h.as_str().unwrap_or(""))
                    .collect();
                let found: Vec<usize> = routes
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| l4_route_matches(r, port, tls.then_some(&hosts[..])))
                    .map(|(i, _)| i)
                    .collect();
                if found.is_empty() {
                    return Err(format!(
                        "No matching {kind} routes found in the defined Virtual Service."
                    ));
                }
                indexes.extend(found);
            }
        }
        for i in indexes {
            self.destinations(&routes[i])?;
        }
        if wanted.is_empty() && routes.len() > 1 {
            return Err(format!(
                "spec.{field}[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.{key}"
            ));
        }
        Ok(())
    }

    /// `validateVirtualServiceRouteDestinations`: the route sends to both the stable and the
    /// canary Service (or DestinationRule subset).
    fn destinations(&self, route: &Value) -> Result<(), String> {
        let (mut stable, mut canary, mut stable_subset, mut canary_subset) =
            (false, false, false, false);
        for (_, dest) in items(route.get("route")) {
            let host = dest
                .lookup("/destination/host")
                .and_then(Value::as_str)
                .unwrap_or("");
            let host = match host.find('.') {
                Some(0) => "",
                Some(i) => &host[..i],
                None => host,
            };
            stable |= !self.stable.is_empty() && host == self.stable;
            canary |= !self.canary.is_empty() && host == self.canary;
            if let Some((stable_name, canary_name)) = self.subsets {
                let subset = dest
                    .lookup("/destination/subset")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                stable_subset |= !stable_name.is_empty() && subset == stable_name;
                canary_subset |= !canary_name.is_empty() && subset == canary_name;
            }
        }
        match self.subsets {
            Some((_, canary_name)) if !canary_subset => Err(format!(
                "Canary DestinationRule subset '{canary_name}' not found in route"
            )),
            Some((stable_name, _)) if !stable_subset => Err(format!(
                "Stable DestinationRule subset '{stable_name}' not found in route"
            )),
            Some(_) => Ok(()),
            None if !canary => Err(format!(
                "Canary Service '{}' not found in route",
                self.canary
            )),
            None if !stable => Err(format!(
                "Stable Service '{}' not found in route",
                self.stable
            )),
            None => Ok(()),
        }
    }
}

/// `searchTlsRoute` / `searchTcpRoute`: a route whose matches name one port (or none, port 0)
/// equal to `port`, and for TLS exactly the SNI hosts.
fn l4_route_matches(route: &Value, port: i64, hosts: Option<&[&str]>) -> bool {
    let mut ports = BTreeSet::new();
    let mut sni = BTreeSet::new();
    for (_, m) in items(route.get("match")) {
        ports.insert(m.get("port").and_then(Value::as_i64).unwrap_or(0));
        for (_, h) in items(m.get("sniHosts")) {
            sni.insert(h.as_str().unwrap_or(""));
        }
    }
    if ports.len() > 1 {
        return false;
    }
    let route_port = ports.into_iter().next().unwrap_or(0);
    if route_port != port {
        return false;
    }
    match hosts {
        // `evaluate.Equal`: same length, every route host among the wanted ones.
        Some(hosts) => hosts.len() == sni.len() && sni.iter().all(|h| hosts.contains(h)),
        None => true,
    }
}

// Whether Go's `json.Unmarshal` would decode the routes into the controller's types: a value of
// the wrong JSON type for a field fails the whole decode.

fn is_str(v: &Value) -> bool {
    v.is_null() || v.is_string()
}

fn is_int(v: &Value) -> bool {
    v.is_null() || v.as_i64().is_some()
}

fn is_port_number(v: &Value) -> bool {
    v.is_null() || v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX))
}

fn is_number(v: &Value) -> bool {
    v.is_null() || v.is_number()
}

fn list_of(v: &Value, item: fn(&Value) -> bool) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().all(item),
        _ => false,
    }
}

fn map_of(v: &Value, item: fn(&Value) -> bool) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().all(item),
        _ => false,
    }
}

/// A field of a Go struct and whether a JSON value decodes into its type.
type Field = (&'static str, fn(&Value) -> bool);

fn object_with(v: &Value, fields: &[Field]) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => fields.iter().all(|(k, check)| m.get(*k).is_none_or(check)),
        _ => false,
    }
}

fn strings_decode(v: &Value) -> bool {
    list_of(v, is_str)
}

fn string_map_decodes(v: &Value) -> bool {
    map_of(v, is_str)
}

fn string_match_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[("exact", is_str), ("prefix", is_str), ("regex", is_str)],
    )
}

fn port_decodes(v: &Value) -> bool {
    object_with(v, &[("number", is_port_number)])
}

fn destination_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[("host", is_str), ("subset", is_str), ("port", port_decodes)],
    )
}

fn route_destination_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[("destination", destination_decodes), ("weight", is_int)],
    )
}

fn route_destinations_decode(v: &Value) -> bool {
    list_of(v, route_destination_decodes)
}

fn http_match_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("method", string_match_decodes),
            ("uri", string_match_decodes),
            ("headers", |h| map_of(h, string_match_decodes)),
        ],
    )
}

fn http_route_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("name", is_str),
            ("match", |m| list_of(m, http_match_decodes)),
            ("route", route_destinations_decode),
            ("mirror", destination_decodes),
            ("mirrorPercentage", |p| {
                object_with(p, &[("value", is_number)])
            }),
        ],
    )
}

fn l4_match_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("sniHosts", strings_decode),
            ("destinationSubnets", strings_decode),
            ("port", is_int),
            ("sourceLabels", string_map_decodes),
            ("gateways", strings_decode),
            ("sourceNamespace", is_str),
        ],
    )
}

fn tls_route_decodes(v: &Value) -> bool {
    object_with(
        v,
        &[
            ("match", |m| list_of(m, l4_match_decodes)),
            ("route", route_destinations_decode),
        ],
    )
}

fn tcp_route_decodes(v: &Value) -> bool {
    // L4MatchAttributes has no sniHosts; an unknown key is ignored.
    tls_route_decodes(v)
}

// ---------------------------------------------------------------------------------------------
// Go semantics

/// `getIntOrPercentValue` of `invalidMaxSurgeMaxUnavailable`: `"N%"` is N, any other string is
/// `strconv.Atoi` of it (0 when not a number; ±max on overflow), an integer is itself.
pub fn int_or_percent(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            if let Some(digits) = s.strip_suffix('%')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                return saturating_atoi(digits).unwrap_or(0);
            }
            saturating_atoi(s).unwrap_or(0)
        }
        _ => 0,
    }
}

/// Go's `strconv.Atoi` value, ignoring its error: `None` for a syntax error, the largest
/// value of the sign on overflow.
fn saturating_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(atoi(s).unwrap_or(if s.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    }))
}

/// `RolloutPause.DurationSeconds()`: an integer, a string parsed as a 32-bit integer, else as
/// a Go duration (truncated to seconds); -1 when it is neither; 0 when absent.
pub fn pause_seconds(duration: Option<&Value>) -> i64 {
    match duration {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => {
            if let Some(n) = atoi(s).filter(|n| i32::try_from(*n).is_ok()) {
                return n;
            }
            match go_duration(s) {
                // Go refuses durations beyond ±2^63 ns.
                Some(ns) if ns.abs() <= 9.223_372_036_854_775e18 => {
                    let seconds = (ns / 1e9).trunc();
                    seconds.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i64
                }
                _ => -1,
            }
        }
        Some(_) => 0,
    }
}

/// `fieldpath.ExtractFieldPathAsString` accepts the path (for a Rollout).
pub fn downward_api_path(path: &str) -> bool {
    if let Some(rest) = path.strip_suffix("']")
        && let Some((field, subscript)) = rest.split_once("['")
        && !field.is_empty()
    {
        return match field {
            "metadata.annotations" => is_qualified_name(&subscript.to_lowercase()),
            "metadata.labels" => is_qualified_name(subscript),
            _ => false,
        };
    }
    matches!(
        path,
        "metadata.annotations"
            | "metadata.labels"
            | "metadata.name"
            | "metadata.namespace"
            | "metadata.uid"
    )
}

/// apimachinery's `IsQualifiedName`: `[prefix/]name`, the prefix a DNS subdomain, the name at
/// most 63 characters of `[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]`.
fn is_qualified_name(value: &str) -> bool {
    let name = match value.split('/').collect::<Vec<_>>()[..] {
        [name] => name,
        [prefix, name] if is_dns_subdomain(prefix) => name,
        _ => return false,
    };
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// apimachinery's `IsDNS1123Subdomain`.
fn is_dns_subdomain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// `json.Marshal` as Go writes it: like serde_json, plus `<`, `>`, `&`, U+2028 and U+2029
/// escaped.
fn go_json(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `field.Invalid` with a struct value: rendered with `json.Marshal`.
fn invalid_json(path: &str, value: &Value, detail: &str) -> String {
    match value {
        Value::Object(_) | Value::Array(_) => {
            format!("{path}: Invalid value: {}: {detail}", go_json(value))
        }
        _ => invalid(path, value, detail),
    }
}

/// A `*StringMatch` as Go marshals it (`null`, or `exact`/`prefix`/`regex` when non-empty).
fn string_match_json(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(m) => {
            let mut out = Map::new();
            for key in ["exact", "prefix", "regex"] {
                let s = text(m, key);
                if !s.is_empty() {
                    out.insert(key.into(), json!(s));
                }
            }
            Value::Object(out)
        }
    }
}

/// A `SetHeaderRoute` as Go marshals it.
fn header_route_json(route: &Value) -> Value {
    let mut out = Map::new();
    let name = text(route, "name");
    if !name.is_empty() {
        out.insert("name".into(), json!(name));
    }
    let matches: Vec<Value> = items(route.get("match"))
        .map(|(_, m)| {
            json!({
                "headerName": text(m, "headerName"),
                "headerValue": string_match_json(m.get("headerValue")),
            })
        })
        .collect();
    if !matches.is_empty() {
        out.insert("match".into(), Value::Array(matches));
    }
    Value::Object(out)
}

/// A `SetMirrorRoute` as Go marshals it.
fn mirror_route_json(route: &Value) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(text(route, "name")));
    let matches: Vec<Value> = items(route.get("match"))
        .map(|(_, m)| {
            let mut o = Map::new();
            for key in ["method", "path"] {
                if let Some(v) = set(m, key) {
                    o.insert(key.into(), string_match_json(Some(v)));
                }
            }
            if let Some(headers) = m
                .get("headers")
                .and_then(Value::as_object)
                .filter(|h| !h.is_empty())
            {
                let mut keys: Vec<&String> = headers.keys().collect();
                keys.sort();
                let mut h = Map::new();
                for k in keys {
                    // A map value is a struct, not a pointer: null is `{}`.
                    let v = string_match_json(Some(&headers[k]));
                    h.insert(k.clone(), if v.is_null() { json!({}) } else { v });
                }
                o.insert("headers".into(), Value::Object(h));
            }
            Value::Object(o)
        })
        .collect();
    if !matches.is_empty() {
        out.insert("match".into(), Value::Array(matches));
    }
    if let Some(p) = set(route, "percentage") {
        out.insert("percentage".into(), p.clone());
    }
    Value::Object(out)
}

/// An `AnalysisRunArgument` as Go marshals it.
fn argument_json(arg: &Value) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(text(arg, "name")));
    let value = text(arg, "value");
    if !value.is_empty() {
        out.insert("value".into(), json!(value));
    }
    if let Some(from) = set(arg, "valueFrom") {
        let mut f = Map::new();
        if let Some(hash) = set(from, "podTemplateHashValue") {
            f.insert("podTemplateHashValue".into(), hash.clone());
        }
        if let Some(field_ref) = set(from, "fieldRef") {
            f.insert(
                "fieldRef".into(),
                json!({"fieldPath": text(field_ref, "fieldPath")}),
            );
        }
        out.insert("valueFrom".into(), Value::Object(f));
    }
    Value::Object(out)
}

/// Go's `%v` of a decoded JSON value.
fn go_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_v(&m[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's `%T` of a decoded JSON value.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%s` of a decoded JSON value (`%!s(int64=5)` for what is not a string).
fn go_s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "%!s(<nil>)".into(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_s).collect::<Vec<_>>().join(" ")),
        Value::Object(_) => go_v(v),
        other => format!("%!s({}={})", go_type(other), go_v(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Context, run};
    use crate::yaml::parse_documents;

    fn rollout(canary: Value) -> Value {
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Rollout",
            "metadata": {"name": "shop"},
            "spec": {
                "selector": {"matchLabels": {"app": "shop"}},
                "template": {
                    "metadata": {"labels": {"app": "shop", "tier": "web"}},
                    "spec": {"containers": [{"name": "shop", "image": "nginx:1.29"}]}
                },
                "strategy": {"canary": canary}
            }
        })
    }

    fn service(name: &str, selector: Value) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name},
            "spec": {"selector": selector, "ports": [{"port": 80}]}
        })
    }

    fn services() -> Vec<Value> {
        vec![
            service("stable", json!({"app": "shop"})),
            service("canary", json!({"app": "shop"})),
        ]
    }

    /// The canary findings for these documents, as (rule id, message).
    fn findings_with(docs: &[Value], strict: bool) -> Vec<(String, String, Severity)> {
        findings_for(docs, strict, RolloutsVersion::default())
    }

    fn findings_for(
        docs: &[Value],
        strict: bool,
        version: RolloutsVersion,
    ) -> Vec<(String, String, Severity)> {
        let text: Vec<String> = docs
            .iter()
            .map(|d| serde_json::to_string(d).unwrap())
            .collect();
        let objects: Vec<Object> = parse_documents(&text.join("\n---\n"))
            .unwrap()
            .into_iter()
            .map(|d| Object::from_document(d, "t.yaml").unwrap())
            .collect();
        let schema_errors = vec![Vec::new(); objects.len()];
        let ctx = Context::new(&objects, &schema_errors, strict).with_version(version);
        run(&ctx)
            .into_iter()
            .filter(|r| RULES.iter().any(|c| std::ptr::eq(*c, r.rule)))
            .map(|r| (r.rule.id.to_owned(), r.message, r.severity))
            .collect()
    }

    fn findings(docs: &[Value]) -> Vec<(String, String)> {
        findings_with(docs, false)
            .into_iter()
            .map(|(id, m, _)| (id, m))
            .collect()
    }

    fn ids(docs: &[Value]) -> Vec<String> {
        findings(docs).into_iter().map(|(id, _)| id).collect()
    }

    fn with(mut docs: Vec<Value>, more: Vec<Value>) -> Vec<Value> {
        docs.extend(more);
        docs
    }

    #[test]
    fn int_or_string_percentages() {
        for zero in [json!(0), json!("0"), json!("0%"), json!("00%"), json!("-0")] {
            assert_eq!(int_or_percent(&zero), 0, "{zero}");
        }
        // Not a number and not `N%`: `IntValue()` is 0.
        for zero in [
            json!("abc"),
            json!("abc%"),
            json!("1.5%"),
            json!("%"),
            json!(""),
        ] {
            assert_eq!(int_or_percent(&zero), 0, "{zero}");
        }
        assert_eq!(int_or_percent(&json!("25%")), 25);
        assert_eq!(int_or_percent(&json!("3")), 3);
        assert_eq!(int_or_percent(&json!(2)), 2);
        // strconv.Atoi's out-of-range value is kept, not zero.
        assert_eq!(int_or_percent(&json!("99999999999999999999")), i64::MAX);
        assert_eq!(int_or_percent(&json!("99999999999999999999%")), i64::MAX);
    }

    #[test]
    fn surge_and_unavailable() {
        let c01 = |canary: Value| ids(&[rollout(canary)]).contains(&"C-01".to_owned());
        assert!(c01(json!({"maxSurge": 0, "maxUnavailable": 0})));
        assert!(c01(json!({"maxSurge": "0%", "maxUnavailable": "0"})));
        assert!(c01(json!({"maxSurge": "none", "maxUnavailable": 0})));
        // The defaults are 25%: one of them left out is never zero.
        assert!(!c01(json!({"maxUnavailable": 0})));
        assert!(!c01(json!({"maxSurge": 0})));
        assert!(!c01(json!({"maxSurge": "1", "maxUnavailable": 0})));
        assert_eq!(
            findings(&[rollout(json!({"maxSurge": "0%", "maxUnavailable": 0}))]),
            [(
                "C-01".to_owned(),
                "spec.strategy.maxSurge: Invalid value: \"0%\": MaxSurge and MaxUnavailable both can not be zero".to_owned()
            )]
        );
    }

    #[test]
    fn pause_durations() {
        let s = |v: Value| pause_seconds(Some(&v));
        assert_eq!(pause_seconds(None), 0);
        assert_eq!(s(Value::Null), 0);
        assert_eq!(s(json!(30)), 30);
        assert_eq!(s(json!(-5)), -5);
        assert_eq!(s(json!("30")), 30);
        assert_eq!(s(json!("+30")), 30);
        assert_eq!(s(json!("-30")), -30);
        assert_eq!(s(json!("1m30s")), 90);
        assert_eq!(s(json!("1.5h")), 5400);
        assert_eq!(s(json!("-30s")), -30);
        // Truncated to whole seconds, toward zero.
        assert_eq!(s(json!("-500ms")), 0);
        assert_eq!(s(json!("1999ms")), 1);
        // Neither an integer nor a duration: -1.
        assert_eq!(s(json!("10 minutes")), -1);
        assert_eq!(s(json!("")), -1);
        assert_eq!(s(json!("1d")), -1);
        // Beyond int32 and without a unit: not an integer, not a duration.
        assert_eq!(s(json!("3000000000")), -1);
        assert_eq!(s(json!("3000000000s")), i64::from(i32::MAX));
    }

    #[test]
    fn pause_duration_rule() {
        let steps = json!({"steps": [
            {"pause": {"duration": "1h"}},
            {"pause": {"duration": "later"}},
            {"pause": {}},
            {"pause": {"duration": "-2m"}}
        ]});
        assert_eq!(
            findings(&[rollout(steps)]),
            [
                (
                    "C-16".to_owned(),
                    "spec.strategy.steps[1].pause.duration: Invalid value: -1: Duration needs to be greater than 0".to_owned()
                ),
                (
                    "C-16".to_owned(),
                    "spec.strategy.steps[3].pause.duration: Invalid value: -120: Duration needs to be greater than 0".to_owned()
                )
            ]
        );
    }

    #[test]
    fn set_weight_uses_max_traffic_weight() {
        let nginx = json!({
            "stableService": "stable", "canaryService": "canary",
            "trafficRouting": {"maxTrafficWeight": 1000, "nginx": {"stableIngress": "web"}},
            "steps": [{"setWeight": 1000}, {"setWeight": 1001}]
        });
        let ingress = json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
            "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "stable", "port": {"number": 80}}}}]}}]}
        });
        assert_eq!(
            findings(&with(vec![rollout(nginx), ingress], services())),
            [(
                "C-15".to_owned(),
                "spec.strategy.steps[1].setWeight: Invalid value: 1001: SetWeight needs to be between 0 and 1000".to_owned()
            )]
        );
    }

    #[test]
    fn downward_api_paths() {
        for ok in [
            "metadata.name",
            "metadata.namespace",
            "metadata.uid",
            "metadata.labels",
            "metadata.annotations",
            "metadata.labels['app']",
            "metadata.labels['app.kubernetes.io/name']",
            "metadata.annotations['Example.COM/Team']",
        ] {
            assert!(downward_api_path(ok), "{ok}");
        }
        for bad in [
            "metadata.labels.app",
            "metadata.labels[app]",
            "metadata.labels['']",
            "metadata.labels['Example.COM/team']",
            "metadata.labels['-app']",
            "metadata.generation",
            "metadata.name['x']",
            "metadataname",
        ] {
            assert!(!downward_api_path(bad), "{bad}");
        }
    }

    fn header_step(value: Value) -> Value {
        json!({"setHeaderRoute": {"name": "h", "match": [{"headerName": "x-canary", "headerValue": value}]}})
    }

    fn with_router(router: Value, step: Value) -> Value {
        let mut tr = json!({"managedRoutes": [{"name": "h"}, {"name": "m"}]});
        for (k, v) in router.as_object().unwrap() {
            tr[k] = v.clone();
        }
        rollout(json!({
            "stableService": "stable", "canaryService": "canary",
            "trafficRouting": tr,
            "steps": [step, {"setWeight": 20}]
        }))
    }

    /// Only the step rules C-18 … C-22 (the routers' own objects are not in these sets).
    fn step_findings(doc: Value) -> Vec<(String, String)> {
        findings(&with(vec![doc], services()))
            .into_iter()
            .filter(|(id, _)| id.starts_with("C-"))
            .collect()
    }

    #[test]
    fn alb_header_routes_match_exactly() {
        let alb = json!({"alb": {"ingress": "web"}});
        assert!(
            step_findings(with_router(alb.clone(), header_step(json!({"exact": "1"})))).is_empty()
        );
        assert_eq!(
            step_findings(with_router(alb.clone(), header_step(json!({"exact": "1", "regex": "x"})))),
            [(
                "C-19".to_owned(),
                "spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {\"exact\":\"1\",\"regex\":\"x\"}: SetHeaderRoute match value invalid. ALB supports 'exact' value only".to_owned()
            )]
        );
        assert_eq!(
            step_findings(with_router(alb.clone(), header_step(json!({})))),
            [(
                "C-19".to_owned(),
                "spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {}: SetHeaderRoute match value invalid. ALB supports 'exact' value only".to_owned()
            )]
        );
        assert_eq!(
            step_findings(with_router(alb, header_step(Value::Null))),
            [(
                "C-19".to_owned(),
                "spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: null: StringMatch value missed, match value must have one of the following: exact, regex, prefix".to_owned()
            )]
        );
    }

    #[test]
    fn istio_and_apisix_header_routes_need_one_match_kind() {
        for router in [
            json!({"istio": {"virtualService": {"name": "vs"}}}),
            json!({"apisix": {"route": {"name": "r"}}}),
            json!({"plugins": {"example.com/router": {}}}),
        ] {
            assert!(
                step_findings(with_router(
                    router.clone(),
                    header_step(json!({"regex": "^1"}))
                ))
                .is_empty()
            );
            assert_eq!(
                step_findings(with_router(router.clone(), header_step(json!({"exact": "1", "prefix": "1"})))),
                [(
                    "C-20".to_owned(),
                    "spec.strategy.steps[0].setHeaderRoute.match[0]: Invalid value: {\"exact\":\"1\",\"prefix\":\"1\"}: StringMatch match value must have exactly one of the following: exact, regex, prefix".to_owned()
                )]
            );
            let missed = step_findings(with_router(router, header_step(json!({"exact": ""}))));
            assert_eq!(missed.len(), 1);
            assert!(missed[0].1.ends_with(MATCH_MISSED));
        }
        // Nginx has no header routes at all.
        let nginx = json!({"nginx": {"stableIngress": "web"}});
        assert_eq!(
            ids(&with(
                vec![with_router(nginx, header_step(json!({"exact": "<b>&"})))],
                services()
            )),
            ["C-18", "CR-07"]
        );
    }

    #[test]
    fn header_route_value_is_rendered_as_go_json() {
        let nginx = json!({"nginx": {"stableIngress": "web"}});
        let found = step_findings(with_router(nginx, header_step(json!({"exact": "<b>&"}))));
        assert_eq!(
            found[0].1,
            "spec.strategy.steps[0].setHeaderRoute: Invalid value: {\"name\":\"h\",\"match\":[{\"headerName\":\"x-canary\",\"headerValue\":{\"exact\":\"\\u003cb\\u003e\\u0026\"}}]}: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix"
        );
    }

    #[test]
    fn mirror_routes() {
        let istio = json!({"istio": {"virtualService": {"name": "vs"}}});
        let step = json!({"setMirrorRoute": {"name": "m", "match": [
            {"method": {"exact": "GET", "regex": "P.*"}},
            {"path": {"prefix": "/a"}, "headers": {"b": {"exact": "1"}, "a": null}}
        ]}});
        // A bad `method` is checked twice by the controller: one finding.
        assert_eq!(
            step_findings(with_router(istio, step.clone())),
            [(
                "C-22".to_owned(),
                "spec.strategy.steps[0].setMirrorRoute.match[0]: Invalid value: {\"exact\":\"GET\",\"regex\":\"P.*\"}: StringMatch match value must have exactly one of the following: exact, regex, prefix".to_owned()
            )]
        );
        let alb = json!({"alb": {"ingress": "web"}});
        let found = step_findings(with_router(alb, step));
        assert_eq!(found[0].0, "C-21");
        assert_eq!(
            found[0].1,
            "spec.strategy.steps[0].setMirrorRoute: Invalid value: {\"name\":\"m\",\"match\":[{\"method\":{\"exact\":\"GET\",\"regex\":\"P.*\"}},{\"path\":{\"prefix\":\"/a\"},\"headers\":{\"a\":{},\"b\":{\"exact\":\"1\"}}}]}: SetMirrorRoute requires TrafficRouting, supports Istio only"
        );
        assert_eq!(found[1].0, "C-22");
    }

    #[test]
    fn stable_and_canary_services_required_per_router() {
        let needs = |tr: Value, ping_pong: bool| {
            let mut canary = json!({"trafficRouting": tr});
            if ping_pong {
                canary["pingPong"] = json!({"pingService": "ping", "pongService": "pong"});
            }
            needs_both_services(&canary, RolloutsVersion::default())
        };
        assert!(needs(json!({"alb": {"ingress": "web"}}), false));
        assert!(!needs(json!({"alb": {"ingress": "web"}}), true));
        assert!(needs(
            json!({"istio": {"virtualService": {"name": "vs"}}}),
            false
        ));
        assert!(!needs(
            json!({"istio": {"virtualService": {"name": "vs"}}}),
            true
        ));
        assert!(!needs(
            json!({"istio": {"destinationRule": {"name": "dr"}}}),
            false
        ));
        for router in ["smi", "apisix", "ambassador", "nginx", "appMesh", "traefik"] {
            assert!(needs(json!({router: {}}), true), "{router}");
        }
        assert!(!needs(json!({"plugins": {"x/y": {}}}), false));
        // Before 1.7 any router but Istio with subsets needed both, a plugin too.
        let plugin = json!({"trafficRouting": {"plugins": {"acme/router": {}}}});
        assert!(needs_both_services(&plugin, RolloutsVersion::V1_6));
        assert!(!needs_both_services(&plugin, RolloutsVersion::V1_7));
    }

    /// The verdicts that changed between releases, each on both sides of the change.
    #[test]
    fn verdicts_by_controller_release() {
        use RolloutsVersion::*;
        let at = |v: RolloutsVersion, doc: Value| -> Vec<(String, String)> {
            findings_for(&with(vec![doc], services()), false, v)
                .into_iter()
                .map(|(id, m, _)| (id, m))
                .collect()
        };
        let has = |v, doc: &Value, id: &str| at(v, doc.clone()).iter().any(|(i, _)| i == id);
        let plugins = json!({"plugins": {"acme/router": {}}});
        // C-21: setMirrorRoute with a plugin router, refused until 1.10.
        let mirror = with_router(plugins.clone(), json!({"setMirrorRoute": {"name": "m"}}));
        assert!(at(V1_9, mirror.clone()).iter().any(|(id, m)| id == "C-21"
            && m.ends_with("SetMirrorRoute requires TrafficRouting, supports Istio only")));
        assert!(!has(V1_10, &mirror, "C-21"));
        // C-18: setHeaderRoute with a plugin router, accepted since 1.7.
        let header = with_router(
            plugins.clone(),
            json!({"setHeaderRoute": {"name": "h", "match": [{"headerName": "x", "headerValue": {"exact": "1"}}]}}),
        );
        assert!(has(V1_6, &header, "C-18"));
        assert!(!has(V1_7, &header, "C-18"));
        // C-03: pingPong with Istio, accepted since 1.7; with a plugin, since 1.10.
        let ping_pong = |tr: Value| {
            rollout(
                json!({"pingPong": {"pingService": "ping", "pongService": "pong"}, "trafficRouting": tr}),
            )
        };
        let istio = ping_pong(json!({"istio": {"virtualService": {"name": "vs"}}}));
        assert!(has(V1_6, &istio, "C-03"));
        assert!(!has(V1_7, &istio, "C-03"));
        let plugin = ping_pong(plugins.clone());
        assert!(has(V1_9, &plugin, "C-03"));
        assert!(!has(V1_10, &plugin, "C-03"));
        // C-15: the bound is 100 before 1.7, maxTrafficWeight after.
        let weights = rollout(json!({
            "stableService": "stable", "canaryService": "canary",
            "trafficRouting": {"nginx": {"stableIngress": "web"}, "maxTrafficWeight": 1000},
            "steps": [{"setWeight": 500}]
        }));
        assert!(
            at(V1_6, weights.clone())
                .iter()
                .any(|(id, m)| id == "C-15"
                    && m.ends_with("SetWeight needs to be between 0 and 100"))
        );
        assert!(!has(V1_7, &weights, "C-15"));
        // C-14: a plugin step is no step before 1.8.
        let step = with_router(plugins.clone(), json!({"plugin": {"name": "acme/step"}}));
        assert!(at(V1_7, step.clone()).iter().any(|(id, m)| id == "C-14"
            && m.ends_with("Step must have one of the following set: experiment, setWeight, setCanaryScale or pause")));
        assert!(!has(V1_8, &step, "C-14"));
        // C-26: experiment weights with a plugin router, accepted since 1.8.
        let experiment = with_router(
            plugins,
            json!({"experiment": {"templates": [{"name": "e", "specRef": "canary", "weight": 5}]}}),
        );
        assert!(has(V1_7, &experiment, "C-26"));
        assert!(!has(V1_8, &experiment, "C-26"));
    }

    #[test]
    fn analysis_args_of_the_step_are_all_rendered() {
        let canary = json!({"steps": [{"experiment": {
            "templates": [{"name": "a", "specRef": "canary"}],
            "analyses": [{"name": "x", "templateName": "t", "args": [
                {"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}},
                {"name": "ns", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                {"name": "gen", "valueFrom": {"fieldRef": {"fieldPath": "metadata.generation"}}}
            ]}]
        }}]});
        assert_eq!(
            findings(&[rollout(canary)]),
            [(
                "C-27".to_owned(),
                "spec.strategy.steps[0].analyses: Invalid value: [{\"name\":\"hash\",\"valueFrom\":{\"podTemplateHashValue\":\"Latest\"}},{\"name\":\"ns\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}},{\"name\":\"gen\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.generation\"}}}]: Analyses arguments must refer to valid object metadata supported by downwardAPI".to_owned()
            )]
        );
    }

    #[test]
    fn both_strategies_are_left_to_the_strategy_rule() {
        let mut doc = rollout(json!({"maxSurge": 0, "maxUnavailable": 0}));
        doc["spec"]["strategy"]["blueGreen"] = json!({"activeService": "a"});
        assert!(findings(&[doc]).is_empty());
    }

    #[test]
    fn service_selectors() {
        let canary = json!({"stableService": "stable", "canaryService": "canary"});
        let docs = vec![
            rollout(canary.clone()),
            service(
                "stable",
                json!({"zone": "b", "app": "other", "rollouts-pod-template-hash": "abc"}),
            ),
            service(
                "canary",
                json!({"app": "shop", "rollouts-pod-template-hash": "x"}),
            ),
        ];
        // The first mismatching key in sorted order, whatever the map order.
        assert_eq!(
            findings(&docs),
            [(
                "CR-02".to_owned(),
                "spec.strategy.canary.stableService: Invalid value: \"stable\": Service \"stable\" has unmatch label \"app\" in rollout".to_owned()
            )]
        );
        // A workloadRef Rollout is checked against the workload's pod labels.
        let mut wr = rollout(canary);
        wr["spec"].as_object_mut().unwrap().remove("template");
        wr["spec"]["workloadRef"] =
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "shop"});
        let deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop"},
            "spec": {"template": {"metadata": {"labels": {"app": "shop"}}}}
        });
        let svc = services();
        assert!(findings(&with(vec![wr.clone(), deployment], svc.clone())).is_empty());
        let other = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop"},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}}}}
        });
        assert_eq!(
            ids(&with(vec![wr.clone(), other], svc.clone())),
            ["CR-02", "CR-02"]
        );
        // Without the workload nothing can be said.
        assert!(findings(&with(vec![wr], svc)).is_empty());
    }

    #[test]
    fn missing_objects_are_warnings_unless_strict() {
        let docs = [rollout(
            json!({"stableService": "stable", "canaryService": "canary"}),
        )];
        let lax = findings_with(&docs, false);
        assert_eq!(lax.len(), 2);
        assert!(lax.iter().all(|f| f.2 == Severity::Warning));
        assert_eq!(
            lax[0].1,
            "spec.strategy.canary.stableService: Invalid value: \"stable\": service \"stable\" not found"
        );
        assert!(
            findings_with(&docs, true)
                .iter()
                .all(|f| f.2 == Severity::Error)
        );
    }

    #[test]
    fn ingress_lookups() {
        let nginx = rollout(json!({
            "stableService": "stable", "canaryService": "canary",
            "trafficRouting": {"nginx": {"stableIngresses": ["a", "b"]}}
        }));
        let ingress_a = json!({
            "apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "a"},
            "spec": {"rules": [{"http": {"paths": [{"backend": {"serviceName": "stable", "servicePort": 80}}]}}]}
        });
        // Kubernetes 1.22 removed extensions/v1beta1: such an Ingress cannot exist (API-09),
        // so the Rollout's reference to it is not resolved either.
        assert_eq!(
            findings(&with(vec![nginx, ingress_a], services())),
            ["a", "b"].map(|name| (
                "CR-07".to_owned(),
                format!("spec.strategy.canary.trafficRouting.nginx.StableIngresses: Invalid value: [\"a\",\"b\"]: ingress.networking.k8s.io \"{name}\" not found")
            ))
        );
        // ALB with a rootService: the Ingress must send to the root Service.
        let alb = rollout(json!({
            "pingPong": {"pingService": "stable", "pongService": "canary"},
            "trafficRouting": {"alb": {"ingresses": ["web"], "rootService": "root"}}
        }));
        let ingress = json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
            "spec": {"rules": [{"http": {"paths": [{"backend": {"service": {"name": "stable", "port": {"number": 80}}}}]}}]}
        });
        assert_eq!(
            findings(&with(vec![alb, ingress], services())),
            [(
                "CR-08".to_owned(),
                "spec.strategy.canary.trafficRouting.alb.ingresses: Invalid value: \"web\": ingress `web` has no rules using service root backend".to_owned()
            )]
        );
    }

    fn istio_rollout(istio: Value, managed: Option<Value>) -> Value {
        let mut tr = json!({"istio": istio});
        if let Some(m) = managed {
            tr["managedRoutes"] = m;
        }
        rollout(json!({"stableService": "stable", "canaryService": "canary", "trafficRouting": tr}))
    }

    fn virtual_service(spec: Value) -> Value {
        json!({"apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService", "metadata": {"name": "vs", "namespace": "mesh"}, "spec": spec})
    }

    fn istio_messages(istio: Value, managed: Option<Value>, spec: Value) -> Vec<String> {
        findings(&with(
            vec![istio_rollout(istio, managed), virtual_service(spec)],
            services(),
        ))
        .into_iter()
        .map(|(id, m)| format!("{id} {m}"))
        .collect()
    }

    fn dest(host: &str, weight: i64) -> Value {
        json!({"destination": {"host": host}, "weight": weight})
    }

    #[test]
    fn istio_http_routes() {
        let vs = json!({"virtualService": {"name": "vs.mesh", "routes": ["primary"]}});
        let both = json!([
            dest("stable.mesh.svc.cluster.local", 100),
            dest("canary", 0)
        ]);
        assert!(
            istio_messages(
                vs.clone(),
                None,
                json!({"http": [{"name": "primary", "route": both}]})
            )
            .is_empty()
        );
        let prefix = "CR-10 spec.strategy.canary.trafficRouting.istio.virtualService.name: Invalid value: \"vs\": ";
        assert_eq!(
            istio_messages(
                vs.clone(),
                None,
                json!({"http": [{"name": "other", "route": both}]})
            ),
            [format!(
                "{prefix}Istio VirtualService has invalid HTTP routes. Error: HTTP Route 'primary' is not found in the defined Virtual Service."
            )]
        );
        assert_eq!(
            istio_messages(
                vs.clone(),
                None,
                json!({"http": [{"name": "primary", "route": [dest("canary", 0)]}]})
            ),
            [format!(
                "{prefix}Istio VirtualService has invalid HTTP routes. Error: Stable Service 'stable' not found in route"
            )]
        );
        assert_eq!(
            istio_messages(
                vs.clone(),
                None,
                json!({"http": [{"name": "primary", "route": [{"destination": {"host": "stable"}, "weight": "100"}]}]})
            ),
            [format!(
                "{prefix}Unable to get HTTP routes for Istio VirtualService"
            )]
        );
        assert_eq!(
            istio_messages(vs.clone(), None, json!({"hosts": ["x"]})),
            [format!(
                "{prefix}Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService"
            )]
        );
        // Without `routes`, one route, or several of which all but one are managed routes.
        let unnamed = json!({"virtualService": {"name": "vs"}});
        let two = json!({"http": [
            {"name": "header", "route": [dest("canary", 100)]},
            {"route": both}
        ]});
        assert_eq!(
            istio_messages(unnamed.clone(), None, two.clone()),
            [format!(
                "{prefix}Istio VirtualService has invalid HTTP routes. Error: spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes"
            )]
        );
        assert!(istio_messages(unnamed, Some(json!([{"name": "header"}])), two).is_empty());
    }

    #[test]
    fn istio_subsets_and_l4_routes() {
        let dr = json!({"apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule", "metadata": {"name": "dr"}, "spec": {"host": "shop"}});
        let istio = json!({
            "virtualServices": [{"name": "vs", "tlsRoutes": [{"port": 443, "sniHosts": ["a", "b"]}], "tcpRoutes": [{"port": 9000}]}],
            "destinationRule": {"name": "dr", "stableSubsetName": "stable", "canarySubsetName": "canary"}
        });
        let subsets = json!([
            {"destination": {"host": "shop", "subset": "stable"}, "weight": 100},
            {"destination": {"host": "shop", "subset": "canary"}, "weight": 0}
        ]);
        let spec = json!({
            "tls": [{"match": [{"port": 443, "sniHosts": ["b", "a"]}], "route": subsets}],
            "tcp": [
                {"match": [{"port": 8000}], "route": [dest("shop", 100)]},
                {"match": [{"port": 9000}], "route": subsets}
            ]
        });
        let docs = |spec: Value| {
            with(
                vec![
                    istio_rollout(istio.clone(), None),
                    virtual_service(spec),
                    dr.clone(),
                ],
                services(),
            )
        };
        assert!(findings(&docs(spec.clone())).is_empty());
        let mut wrong = spec.clone();
        wrong["tls"][0]["match"][0]["sniHosts"] = json!(["a"]);
        wrong["tcp"][1]["route"] = json!([{"destination": {"host": "shop", "subset": "stable"}}]);
        assert_eq!(
            findings(&docs(wrong))
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>(),
            [
                "spec.strategy.canary.trafficRouting.istio.virtualServices.name: Invalid value: \"vs\": Istio VirtualService has invalid TLS routes. Error: No matching TLS routes found in the defined Virtual Service.",
                "spec.strategy.canary.trafficRouting.istio.virtualServices.name: Invalid value: \"vs\": Istio VirtualService has invalid TCP routes. Error: Canary DestinationRule subset 'canary' not found in route",
            ]
        );
        // The DestinationRule itself is looked up too.
        let without_dr = with(
            vec![istio_rollout(istio.clone(), None), virtual_service(spec)],
            services(),
        );
        assert_eq!(
            findings(&without_dr),
            [(
                "CR-10".to_owned(),
                "spec.strategy.canary.trafficRouting.istio.destinationRule.name: Invalid value: \"dr\": destinationrules.networking.istio.io \"dr\" not found".to_owned()
            )]
        );
    }

    #[test]
    fn virtual_service_references() {
        assert_eq!(virtual_service_name("vs"), (None, "vs"));
        assert_eq!(virtual_service_name("vs.mesh"), (Some("mesh"), "vs"));
        assert_eq!(virtual_service_name("my.vs.mesh"), (Some("mesh"), "my.vs"));
        assert_eq!(
            virtual_service_name("vs.mesh.svc.cluster.local"),
            (Some("svc"), "vs.mesh")
        );
        // A VirtualService of another namespace is not the one referenced.
        let istio = json!({"virtualService": {"name": "vs.other"}});
        assert_eq!(
            istio_messages(istio, None, json!({"http": []})),
            [
                "CR-10 spec.strategy.canary.trafficRouting.istio.virtualService.name: Invalid value: \"vs\": virtualservices.networking.istio.io \"vs\" not found"
            ]
        );
    }

    #[test]
    fn ambassador_and_appmesh() {
        let ambassador = rollout(json!({
            "stableService": "stable", "canaryService": "canary",
            "trafficRouting": {"ambassador": {"mappings": []}}
        }));
        assert_eq!(
            findings(&with(vec![ambassador], services())),
            [(
                "CR-11".to_owned(),
                "spec.strategy.canary.trafficRouting.ambassador.mappings: Invalid value: null: must provide at least one mapping".to_owned()
            )]
        );
        let appmesh = |router_spec: Value| {
            let r = rollout(json!({
                "stableService": "stable", "canaryService": "canary",
                "trafficRouting": {"appMesh": {"virtualService": {"name": "svc"}}}
            }));
            let vs = json!({"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualService", "metadata": {"name": "svc"},
                "spec": {"provider": {"virtualRouter": {"virtualRouterRef": {"name": "router"}}}}});
            let vr = json!({"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualRouter", "metadata": {"name": "router"}, "spec": router_spec});
            findings(&with(vec![r, vs, vr], services()))
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            appmesh(json!({"routes": []})),
            [
                "spec.routes: Invalid value: \"router\": No routes defined for AppMesh virtual-router router"
            ]
        );
        assert_eq!(
            appmesh(json!({"routes": [{"name": "r", "httpRoute": "x"}]})),
            [
                "spec.routes[0]: Invalid value: \"router\": Error getting route details for AppMesh virtual-router router and route r. Error: .httpRoute accessor error: x is of the type string, expected map[string]interface{}"
            ]
        );
        assert_eq!(
            appmesh(json!({"routes": [{"tlsRoute": {}}]})),
            [
                "spec.routes[0]: Invalid value: \"router\": Error getting route details for AppMesh virtual-router router and route %!s(<nil>). Error: Route has unsupported route type"
            ]
        );
        assert_eq!(
            appmesh(json!({"routes": [{"name": "r", "grpcRoute": {"match": {}}}]})),
            [
                "spec.routes[0].grpcRoute.action.weightedTargets: Invalid value: \"router\": Invalid route action found for AppMesh virtual-router router and route r"
            ]
        );
        let two = json!({"action": {"weightedTargets": [{"weight": 1}, {"weight": 0}]}});
        assert!(appmesh(json!({"routes": [{"name": "r", "tcpRoute": two}]})).is_empty());
    }
}
