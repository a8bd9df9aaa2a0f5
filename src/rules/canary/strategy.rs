//! Spec rules of the canary strategy itself: maxSurge/maxUnavailable, the stable, canary,
//! ping and pong Services, scale-down delay, dynamic stable scale, maxTrafficWeight and
//! anti-affinity (C-01 … C-12, C-28, C-29).

use super::*;

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
pub(super) fn ping_pong_name(sink: &mut Sink<'_>, rollout: &Object, canary: &Value, key: &str) {
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
pub(super) fn needs_both_services(canary: &Value, version: RolloutsVersion) -> bool {
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
