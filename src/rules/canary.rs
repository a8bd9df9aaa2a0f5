//! Canary strategy rules (`ValidateRolloutStrategyCanary` in the controller), and the checks
//! of the objects a canary Rollout references (`getRolloutReferencedResources` and
//! `ValidateRolloutReferencedResources`: Services, Ingresses, Istio VirtualServices, Ambassador
//! Mappings, AppMesh routers).
//!
//! Strategy errors are reported under `spec.strategy.<x>` (without `canary`), reference errors
//! under `spec.strategy.canary.<x>`, as the controller does. The analysis templates of canary
//! steps (CR-04) are checked by the analysis family.

use serde_json::{Map, Value, json};

use super::bluegreen::{check_anti_affinity, check_anti_affinity_weight};
use super::util::{atoi, go_duration, invalid, items, required};
use super::{Context, Rule, Sink};
use crate::manifest::Object;
use crate::report::Severity;

pub const RULES: &[&Rule] = &[
    &C_01, &C_02, &C_03, &C_04, &C_05, &C_06, &C_07, &C_08, &C_09, &C_10, &C_11, &C_12, &C_13,
    &C_14, &C_15, &C_16, &C_17, &C_18, &C_19, &C_20, &C_21, &C_22, &C_23, &C_24, &C_25, &C_26,
    &C_27, &C_28, &C_29,
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

// ---------------------------------------------------------------------------------------------
// Access helpers

/// Each canary Rollout (no `blueGreen`: with both the controller validates neither) and its
/// `spec.strategy.canary`.
fn canaries<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = (&'a Object, &'a Value)> + 'a {
    ctx.rollouts().filter_map(|r| {
        let strategy = r.value.pointer("/spec/strategy")?;
        if set(strategy, "blueGreen").is_some() {
            return None;
        }
        strategy
            .get("canary")
            .filter(|v| v.is_object())
            .map(|c| (r, c))
    })
}

type Check = fn(&Context<'_>, &mut Sink<'_>, &Object, &Value);

fn each(ctx: &Context<'_>, sink: &mut Sink<'_>, check: Check) {
    for (rollout, canary) in canaries(ctx) {
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
        each(ctx, sink, |_, sink, rollout, canary| {
            let (Some(_), Some(tr)) = (set(canary, "pingPong"), routing(canary)) else {
                return;
            };
            if set(tr, "alb").is_none() && set(tr, "istio").is_none() && !has_plugins(tr) {
                sink.report(
                    rollout,
                    &format!("{CANARY}/trafficRouting"),
                    invalid("spec.strategy.trafficRouting.alb", &Value::Null, PING_PONG_ROUTERS),
                )
                .help("route with `alb` or `istio` (or a plugin) to use pingPong, or replace pingPong by stableService and canaryService");
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
fn needs_both_services(canary: &Value) -> bool {
    let Some(tr) = routing(canary) else {
        return false;
    };
    let ping_pong = set(canary, "pingPong").is_some();
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
        each(ctx, sink, |_, sink, rollout, canary| {
            if !needs_both_services(canary) {
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
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            let Some(max) = set(tr, "maxTrafficWeight") else {
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
        each(ctx, sink, |_, sink, rollout, canary| {
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
                            INVALID_STEP,
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
        each(ctx, sink, |_, sink, rollout, canary| {
            for (i, step) in steps(canary) {
                if STEP_KINDS.iter().all(|k| set(step, k).is_none()) {
                    sink.report(
                        rollout,
                        &step_ptr(i),
                        invalid(
                            &format!("spec.strategy.steps[{i}]"),
                            &json!("step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true step.Plugin: true"),
                            INVALID_STEP,
                        ),
                    )
                    .help("give the step one of setWeight, pause, experiment, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute or plugin (check the spelling)");
                }
            }
        })
    },
};

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
        each(ctx, sink, |_, sink, rollout, canary| {
            let max = max_traffic_weight(canary);
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
fn header_route_router(tr: Option<&Value>) -> bool {
    tr.is_some_and(|tr| {
        set(tr, "istio").is_some()
            || set(tr, "alb").is_some()
            || set(tr, "apisix").is_some()
            || has_plugins(tr)
    })
}

pub static C_18: Rule = Rule {
    id: "C-18",
    name: "header-route-router",
    severity: Severity::Error,
    doc: "a setHeaderRoute step requires the Istio, ALB or Apisix router, or a plugin",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            if header_route_router(routing(canary)) {
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
fn header_matches(sink: &mut Sink<'_>, rollout: &Object, canary: &Value, alb: bool) {
    let tr = routing(canary);
    if !header_route_router(tr) || tr.and_then(|tr| set(tr, "alb")).is_some() != alb {
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
        each(ctx, sink, |_, sink, rollout, canary| {
            header_matches(sink, rollout, canary, true)
        })
    },
};

pub static C_20: Rule = Rule {
    id: "C-20",
    name: "header-route-match",
    severity: Severity::Error,
    doc: "a setHeaderRoute match needs a headerValue with exactly one of exact, regex, prefix",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            header_matches(sink, rollout, canary, false)
        })
    },
};

pub static C_21: Rule = Rule {
    id: "C-21",
    name: "mirror-route-router",
    severity: Severity::Error,
    doc: "a setMirrorRoute step requires the Istio router or a plugin",
    check: |ctx, sink| {
        each(ctx, sink, |_, sink, rollout, canary| {
            let supported =
                routing(canary).is_some_and(|tr| set(tr, "istio").is_some() || has_plugins(tr));
            if supported {
                return;
            }
            for (i, step) in steps(canary) {
                if let Some(route) = set(step, "setMirrorRoute") {
                    sink.report(
                        rollout,
                        &format!("{}/setMirrorRoute", step_ptr(i)),
                        invalid_json(
                            &format!("spec.strategy.steps[{i}].setMirrorRoute"),
                            &mirror_route_json(route),
                            SET_MIRROR_ROUTE,
                        ),
                    )
                    .help("route traffic with Istio (or a plugin) to mirror traffic, or remove the step");
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
        each(ctx, sink, |_, sink, rollout, canary| {
            let Some(tr) = routing(canary) else {
                return;
            };
            if ["alb", "smi", "istio"].iter().all(|k| set(tr, k).is_none()) && !has_plugins(tr) {
                experiment_weights(
                    sink,
                    rollout,
                    canary,
                    WEIGHT_ROUTERS,
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
                    let Some(path) = arg.pointer("/valueFrom/fieldRef/fieldPath") else {
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
