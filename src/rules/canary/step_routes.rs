//! Route steps of the canary strategy: setHeaderRoute, setMirrorRoute and the managed routes
//! they need (C-18 … C-24).

use super::*;

/// The routers that implement header routes (`setHeaderRoute`).
pub(super) fn header_route_router(tr: Option<&Value>, version: RolloutsVersion) -> bool {
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
pub(super) fn header_matches(
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
pub(super) fn alb_match_problem(value: Option<&Value>) -> Option<&'static str> {
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
pub(super) fn string_match_problem(value: Option<&Value>) -> Option<&'static str> {
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
