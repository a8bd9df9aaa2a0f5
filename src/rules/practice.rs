//! rollwright's own checks: settings the controller accepts but that do not do what their
//! author meant, or that make a blue-green release unsafe. Warnings by default.

use crate::rules::util::Lookup as _;
use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::util::{int, items, str_of};
use super::{ARGO, Context, Rule, analysis, promql, same_namespace};
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[
    &P_01, &P_02, &P_03, &P_04, &P_05, &P_06, &P_07, &P_08, &P_09, &P_10,
];

const BG: &str = "/spec/strategy/blueGreen";

// The predicates below are shared with `rollwright explain`, which states the same facts in
// its own words: one test runs both over the same configurations.

/// P-01: `autoPromotionSeconds` is written while `autoPromotionEnabled` is false.
pub fn auto_promotion_seconds_ignored(bg: &Value) -> bool {
    bg.get("autoPromotionEnabled") == Some(&Value::Bool(false))
        && bg.get("autoPromotionSeconds").is_some()
}

pub static P_01: Rule = Rule {
    id: "P-01",
    name: "auto-promotion-seconds-ignored",
    severity: Severity::Warning,
    doc: "autoPromotionSeconds does nothing while autoPromotionEnabled is false",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            if auto_promotion_seconds_ignored(bg) {
                sink.report(r, &format!("{BG}/autoPromotionSeconds"), "autoPromotionSeconds is ignored because autoPromotionEnabled is false: every update waits for `kubectl argo rollouts promote`")
                    .help("remove autoPromotionSeconds, or set autoPromotionEnabled: true to promote automatically after that many seconds");
            }
        }
    },
};

/// P-02: auto-promotion (Argo's default) with no readiness probe and no analysis.
pub fn no_promotion_gate(r: &Object, bg: &Value) -> bool {
    if bg.get("autoPromotionEnabled").and_then(Value::as_bool) == Some(false)
        || r.value
            .lookup("/spec/workloadRef")
            .is_some_and(|v| !v.is_null())
    {
        return false;
    }
    let analysis = ["prePromotionAnalysis", "postPromotionAnalysis"]
        .iter()
        .any(|k| bg.get(*k).is_some_and(|v| !v.is_null()));
    let probed = items(r.value.lookup("/spec/template/spec/containers"))
        .any(|(_, c)| c.get("readinessProbe").is_some_and(|p| !p.is_null()));
    !analysis && !probed
}

pub static P_02: Rule = Rule {
    id: "P-02",
    name: "auto-promotion-without-gate",
    severity: Severity::Warning,
    doc: "auto-promotion with no readiness probe and no analysis switches traffic as soon as pods start",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            if no_promotion_gate(r, bg) {
                let at = if bg.get("autoPromotionEnabled").is_some() {
                    format!("{BG}/autoPromotionEnabled")
                } else {
                    BG.to_owned()
                };
                sink.report(r, &at, "auto-promotion is on (Argo's default) but no container has a readiness probe and no analysis runs: a new pod counts as available as soon as it is running, so nothing checks the new version before it takes production traffic")
                    .help("add a readinessProbe, a prePromotionAnalysis, or set autoPromotionEnabled: false to promote by hand");
            }
        }
    },
};

/// P-03: `scaleDownDelaySeconds` below Argo's default of 30 (0 included: no deadline is
/// ever written then, RULES.md §2.B).
pub fn scale_down_delay_short(bg: &Value) -> Option<i64> {
    int(bg.get("scaleDownDelaySeconds")).filter(|n| *n < 30)
}

pub static P_03: Rule = Rule {
    id: "P-03",
    name: "scale-down-delay-too-short",
    severity: Severity::Warning,
    doc: "scaleDownDelaySeconds below 30 can drop requests before every node's iptables have switched; 0 never scales the old ReplicaSet down",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            let Some(n) = scale_down_delay_short(bg) else {
                continue;
            };
            let at = format!("{BG}/scaleDownDelaySeconds");
            if n == 0 {
                // `rollout/replicaset.go addScaleDownDelay`: a zero delay writes no
                // deadline, and an old ReplicaSet without one keeps its replicas.
                sink.report(r, &at, "scaleDownDelaySeconds is 0: the controller writes no scale-down deadline, so the old ReplicaSet is never scaled down (unless scaleDownDelayRevisionLimit forces it) and `undo` is never a fast rollback")
                    .help("keep scaleDownDelaySeconds at 30 or more (Argo's default); to stop old pods sooner, lower scaleDownDelayRevisionLimit instead");
            } else if n < 0 {
                sink.report(r, &at, format!("scaleDownDelaySeconds is {n}: the deadline has passed when it is written, so the old pods stop as soon as the update completes, before kube-proxy on every node sends traffic to the new ones"))
                    .help("keep scaleDownDelaySeconds at 30 or more (Argo's default)");
            } else {
                sink.report(r, &at, format!("scaleDownDelaySeconds is {n}: the old pods may stop before kube-proxy on every node sends traffic to the new ones"))
                    .help("keep scaleDownDelaySeconds at 30 or more (Argo's default)");
            }
        }
    },
};

/// P-04: more preview pods than `spec.replicas`: `(previewReplicaCount, replicas)`.
pub fn preview_replicas_above(r: &Object, bg: &Value) -> Option<(i64, i64)> {
    let replicas = int(r.value.lookup("/spec/replicas")).unwrap_or(1);
    int(bg.get("previewReplicaCount"))
        .filter(|p| *p > replicas)
        .map(|p| (p, replicas))
}

pub static P_04: Rule = Rule {
    id: "P-04",
    name: "preview-replicas-above-replicas",
    severity: Severity::Warning,
    doc: "previewReplicaCount above replicas runs more preview pods than production ever has",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            if let Some((preview, replicas)) = preview_replicas_above(r, bg) {
                sink.report(r, &format!("{BG}/previewReplicaCount"), format!("previewReplicaCount ({preview}) is above replicas ({replicas})"))
                    .help("use at most spec.replicas preview pods; promotion scales the new version to spec.replicas anyway");
            }
        }
    },
};

/// The Services a Rollout names: blue-green active/preview, canary stable/canary.
fn named_services(r: &Object) -> Vec<(String, &str)> {
    [
        "/spec/strategy/blueGreen/activeService",
        "/spec/strategy/blueGreen/previewService",
        "/spec/strategy/canary/stableService",
        "/spec/strategy/canary/canaryService",
    ]
    .iter()
    .filter_map(|p| str_of(&r.value, p).map(|n| ((*p).to_owned(), n)))
    .collect()
}

pub static P_05: Rule = Rule {
    id: "P-05",
    name: "service-port-matches-container",
    severity: Severity::Warning,
    doc: "a Service port of a Rollout must target a port its containers declare",
    check: |ctx, sink| {
        let mut seen = HashSet::new();
        for r in ctx.rollouts() {
            let containers = items(r.value.lookup("/spec/template/spec/containers"))
                .map(|(_, c)| c)
                .collect::<Vec<_>>();
            if containers.is_empty() {
                continue;
            }
            let names: BTreeSet<&str> = containers
                .iter()
                .flat_map(|c| items(c.get("ports")))
                .filter_map(|(_, p)| p.get("name").and_then(Value::as_str))
                .collect();
            let numbers: BTreeSet<i64> = containers
                .iter()
                .flat_map(|c| items(c.get("ports")))
                .filter_map(|(_, p)| p.get("containerPort").and_then(Value::as_i64))
                .collect();
            for (_, name) in named_services(r) {
                let Some(service) = ctx.find("", "Service", r, name) else {
                    continue;
                };
                if !seen.insert((service as *const Object, r as *const Object)) {
                    continue;
                }
                for (i, port) in items(service.value.lookup("/spec/ports")) {
                    let target = port.get("targetPort").or_else(|| port.get("port"));
                    let matched = match target {
                        Some(Value::String(s)) => {
                            names.contains(s.as_str())
                                || s.parse::<i64>().is_ok_and(|n| numbers.contains(&n))
                        }
                        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| numbers.contains(&n)),
                        _ => true,
                    };
                    if !matched && !numbers.is_empty() {
                        let at = if port.get("targetPort").is_some() {
                            format!("/spec/ports/{i}/targetPort")
                        } else {
                            format!("/spec/ports/{i}")
                        };
                        let shown = target.map(super::util::go_value).unwrap_or_default();
                        sink.report(service, &at, format!("Service {name} sends port {} to {shown}, which no container of Rollout {} declares", port.get("port").map(super::util::go_value).unwrap_or_default(), r.id.name))
                            .help(format!("target one of the container ports: {}", names.iter().map(|s| s.to_string()).chain(numbers.iter().map(i64::to_string)).collect::<Vec<_>>().join(", ")));
                    }
                }
            }
        }
    },
};

pub static P_06: Rule = Rule {
    id: "P-06",
    name: "analysis-arg-declared",
    severity: Severity::Warning,
    doc: "every analysis arg a Rollout passes should be declared by one of the templates it runs",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            for block in analysis::analysis_blocks(r) {
                let resolved = analysis::resolve_block(ctx, r, &block);
                if !resolved.complete || resolved.templates.is_empty() {
                    continue;
                }
                let declared: HashSet<&str> = resolved
                    .templates
                    .iter()
                    .flat_map(|t| items(t.value.lookup("/spec/args")))
                    .filter_map(|(_, a)| a.get("name").and_then(Value::as_str))
                    .collect();
                for arg in &block.args {
                    if !declared.contains(arg.name) {
                        let names = resolved
                            .templates
                            .iter()
                            .map(|t| t.id.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        sink.report(r, &format!("{}/name", arg.pointer), format!("analysis arg `{}` is passed, but no template it runs ({}) declares it", arg.name, names))
                            .help(format!("declare `- name: {}` under the template's spec.args, or drop the arg (a misspelt name leaves the template's own arg unset)", arg.name));
                    }
                }
            }
        }
    },
};

pub static P_07: Rule = Rule {
    id: "P-07",
    name: "analysis-template-used",
    severity: Severity::Warning,
    doc: "an AnalysisTemplate that no Rollout, Experiment or other template references is never run",
    check: |ctx, sink| {
        // Only meaningful when the set holds what could reference a template.
        if ctx.rollouts().next().is_none() {
            return;
        }
        let used: HashSet<*const Object> = analysis::all_references(ctx)
            .iter()
            .filter_map(|r| r.object)
            .map(|o| o as *const Object)
            .collect();
        for kind in ["AnalysisTemplate", "ClusterAnalysisTemplate"] {
            for t in ctx.of_kind(ARGO, kind) {
                if !used.contains(&(t as *const Object)) {
                    sink.report(t, "/metadata/name", format!("{kind} {} is not referenced by any Rollout or Experiment in this set", t.id.name))
                        .help("reference it from prePromotionAnalysis/postPromotionAnalysis, or remove it");
                }
            }
        }
    },
};

pub static P_08: Rule = Rule {
    id: "P-08",
    name: "resource-quantity-syntax",
    severity: Severity::Warning,
    doc: "container resource requests and limits must be valid quantities (the API server keeps a bad one and the controller drops it silently)",
    check: |ctx, sink| {
        for r in ctx.rollouts() {
            for list in ["initContainers", "containers"] {
                for (i, c) in items(r.value.lookup(&format!("/spec/template/spec/{list}"))) {
                    for kind in ["requests", "limits"] {
                        let Some(map) = c
                            .lookup(&format!("/resources/{kind}"))
                            .and_then(Value::as_object)
                        else {
                            continue;
                        };
                        for (res, q) in map {
                            if super::k8s::quantity_of(q).is_none() {
                                sink.report(
                                    r,
                                    &format!(
                                        "/spec/template/spec/{list}/{i}/resources/{kind}/{}",
                                        crate::yaml::escape_segment(res)
                                    ),
                                    format!(
                                        "{} is not a valid quantity for {res}",
                                        super::util::go_value(q)
                                    ),
                                )
                                .help("write a quantity such as 500m, 1, 256Mi or 1Gi");
                            }
                        }
                    }
                }
            }
        }
    },
};

/// P-09: a negative `autoPromotionSeconds` while auto-promotion is on (Argo's default).
pub fn negative_auto_promotion_seconds(bg: &Value) -> Option<i64> {
    if bg.get("autoPromotionEnabled").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    int(bg.get("autoPromotionSeconds")).filter(|n| *n < 0)
}

pub static P_09: Rule = Rule {
    id: "P-09",
    name: "auto-promotion-seconds-negative",
    severity: Severity::Error,
    doc: "a negative autoPromotionSeconds never promotes: only `promote --full` switches",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            // `rollout/bluegreen.go needsBlueGreenControllerPause` adds no pause for it, and
            // `rollout/pause.go CompletedBlueGreenPause` only passes for 0 or an elapsed
            // positive delay: the active Service never moves by itself.
            if let Some(n) = negative_auto_promotion_seconds(bg) {
                sink.report(r, &format!("{BG}/autoPromotionSeconds"), format!("autoPromotionSeconds is {n}: a negative delay never promotes; the controller adds no pause and its \"pause done\" check passes only for 0 or an elapsed positive delay, so every update waits for `kubectl argo rollouts promote --full` (a plain `promote` does nothing)"))
                    .help("use 0 to promote as soon as the new version is ready, a positive number of seconds to wait that long, or autoPromotionEnabled: false to promote by hand");
            }
        }
    },
};

/// Which Service of a blue-green Rollout a query selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceRole {
    Active,
    Preview,
}

impl ServiceRole {
    fn label(self) -> &'static str {
        match self {
            ServiceRole::Active => "active",
            ServiceRole::Preview => "preview",
        }
    }
}

/// A Prometheus metric of a blue-green Rollout's analysis that counts the requests
/// ingress-nginx sends to one of the Rollout's Services (`nginx_ingress_controller_*` series
/// selected by their `service` or `exported_service` label).
#[derive(Debug, Clone)]
pub struct IngressQuery<'a> {
    pub block: analysis::BlockKind,
    pub template: &'a Object,
    pub metric: String,
    /// JSON pointer of the query in the template.
    pub pointer: String,
    pub service: String,
    pub role: ServiceRole,
    /// An Ingress of the set sends traffic to the Service.
    pub routed: bool,
    /// The set holds Ingresses the Rollout's namespace sees: the set shows the routing.
    pub ingresses_in_set: bool,
    /// The metric's success or failure condition (the first set), as written.
    pub condition: Option<String>,
    /// The condition tests for an empty result (`len(…)`, `default(…)`, `isNil(…)`).
    pub guarded: bool,
    /// Error measurements in a row that end the run in `Error`: `consecutiveErrorLimit`
    /// (Argo's default 4) plus one.
    pub errors_to_fail: i64,
}

/// Argo's `DefaultConsecutiveErrorLimit` (`utils/defaults/defaults.go`).
const DEFAULT_CONSECUTIVE_ERROR_LIMIT: i64 = 4;

/// The ingress-nginx queries of `rollout`'s pre- and post-promotion analyses, their
/// `{{args.x}}` resolved as the controller resolves them (the Rollout's `value`, else the
/// template's).
pub fn ingress_queries<'a>(ctx: &Context<'a>, rollout: &'a Object) -> Vec<IngressQuery<'a>> {
    let services: Vec<(String, ServiceRole)> = [
        ("activeService", ServiceRole::Active),
        ("previewService", ServiceRole::Preview),
    ]
    .into_iter()
    .filter_map(|(key, role)| {
        str_of(&rollout.value, &format!("{BG}/{key}")).map(|s| (s.to_owned(), role))
    })
    .collect();
    let ingresses: Vec<&Object> = ["networking.k8s.io", "extensions"]
        .into_iter()
        .flat_map(|group| ctx.of_kind(group, "Ingress"))
        .filter(|i| same_namespace(i.id.namespace.as_deref(), rollout.id.namespace.as_deref()))
        .collect();
    let mut out: Vec<IngressQuery<'a>> = Vec::new();
    for block in analysis::analysis_blocks(rollout) {
        if !matches!(
            block.kind,
            analysis::BlockKind::Pre | analysis::BlockKind::Post
        ) {
            continue;
        }
        let resolved = analysis::resolve_block(ctx, rollout, &block);
        for template in &resolved.templates {
            let defaults = analysis::template_args(template);
            let value = |name: &str| -> Option<String> {
                block
                    .args
                    .iter()
                    .find(|a| a.name == name)
                    .and_then(|a| a.value.get("value"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        defaults
                            .iter()
                            .find(|a| a.name == name)
                            .and_then(|a| a.value.clone())
                    })
            };
            for (i, metric) in items(template.value.lookup("/spec/metrics")) {
                let Some(query) = metric
                    .lookup("/provider/prometheus/query")
                    .and_then(Value::as_str)
                    .and_then(|q| analysis::substitute(q, value))
                else {
                    continue;
                };
                for service in promql::ingress_services(&query) {
                    let Some((_, role)) = services.iter().find(|(s, _)| *s == service) else {
                        continue;
                    };
                    let pointer = format!("/spec/metrics/{i}/provider/prometheus/query");
                    if out.iter().any(|q| {
                        std::ptr::eq(q.template, *template)
                            && q.pointer == pointer
                            && q.service == service
                            && q.block == block.kind
                    }) {
                        continue;
                    }
                    let condition = ["successCondition", "failureCondition"]
                        .iter()
                        .find_map(|k| metric.get(*k).and_then(Value::as_str))
                        .map(str::to_owned);
                    let guarded = ["successCondition", "failureCondition"]
                        .iter()
                        .filter_map(|k| metric.get(*k).and_then(Value::as_str))
                        .any(|c| ["len(", "default(", "isNil("].iter().any(|f| c.contains(f)));
                    let limit = metric
                        .get("consecutiveErrorLimit")
                        .map(super::util::int_value)
                        .unwrap_or(DEFAULT_CONSECUTIVE_ERROR_LIMIT);
                    out.push(IngressQuery {
                        block: block.kind,
                        template,
                        metric: metric
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                        pointer,
                        routed: ingresses.iter().any(|ing| routes_to(ing, &service)),
                        service,
                        role: *role,
                        ingresses_in_set: !ingresses.is_empty(),
                        condition,
                        guarded,
                        errors_to_fail: limit + 1,
                    });
                }
            }
        }
    }
    out
}

/// Whether an Ingress (networking.k8s.io/v1, or the older `serviceName` form) sends any of
/// its traffic to `service`.
fn routes_to(ingress: &Object, service: &str) -> bool {
    let backend = |b: Option<&Value>| {
        b.is_some_and(|b| {
            b.lookup("/service/name").and_then(Value::as_str) == Some(service)
                || b.get("serviceName").and_then(Value::as_str) == Some(service)
        })
    };
    let spec = ingress.value.get("spec");
    let Some(spec) = spec else { return false };
    backend(spec.get("defaultBackend"))
        || backend(spec.get("backend"))
        || items(spec.get("rules")).any(|(_, rule)| {
            items(rule.lookup("/http/paths")).any(|(_, path)| backend(path.get("backend")))
        })
}

pub static P_10: Rule = Rule {
    id: "P-10",
    name: "analysis-traffic-routed",
    severity: Severity::Warning,
    doc: "an analysis that counts ingress-nginx requests to a Rollout's Service needs an Ingress routing to it (info when the set holds no Ingress)",
    check: |ctx, sink| {
        for (r, _) in ctx.blue_greens() {
            for q in ingress_queries(ctx, r) {
                if q.routed {
                    continue;
                }
                let what = format!(
                    "the metric `{}` counts the requests ingress-nginx sends to Service {}, the {} Service of Rollout {} ({})",
                    q.metric,
                    q.service,
                    q.role.label(),
                    r.id.name,
                    q.block.label()
                );
                let outcome = if q.guarded {
                    format!(
                        "the query finds no data and the condition `{}` decides what that means: the analysis can pass having measured nothing",
                        q.condition.as_deref().unwrap_or_default()
                    )
                } else {
                    format!(
                        "the query finds no data, the Prometheus provider counts each empty result as an Error measurement, and after {} in a row the AnalysisRun ends in Error and the update is aborted",
                        q.errors_to_fail
                    )
                };
                let help = match q.role {
                    ServiceRole::Preview => format!(
                        "production traffic goes to the active Service: route requests to {} through an Ingress (a preview host) and send them during the analysis, or measure what the new pods do get",
                        q.service
                    ),
                    ServiceRole::Active => format!(
                        "route the production traffic of {} through an Ingress, or query the metrics of the path that does carry it",
                        q.service
                    ),
                };
                if q.ingresses_in_set {
                    sink.report(
                        q.template,
                        &q.pointer,
                        format!("{what}, but no Ingress in this set routes to it: {outcome}"),
                    )
                    .help(help);
                } else {
                    sink.report(q.template, &q.pointer, format!("{what}, and this set holds no Ingress in its namespace: unless one in the cluster routes to it, {outcome}"))
                        .help(help)
                        .severity(Severity::Info);
                }
            }
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_seconds_matter_only_with_auto_promotion() {
        let bg = |v: serde_json::Value| v;
        assert_eq!(
            negative_auto_promotion_seconds(&bg(serde_json::json!({"autoPromotionSeconds": -1}))),
            Some(-1)
        );
        assert_eq!(
            negative_auto_promotion_seconds(&bg(serde_json::json!({
                "autoPromotionEnabled": false, "autoPromotionSeconds": -1
            }))),
            None
        );
        assert_eq!(
            negative_auto_promotion_seconds(&bg(serde_json::json!({"autoPromotionSeconds": 0}))),
            None
        );
    }

    #[test]
    fn zero_and_negative_delays_are_short() {
        for (v, short) in [(0, Some(0)), (-1, Some(-1)), (29, Some(29)), (30, None)] {
            assert_eq!(
                scale_down_delay_short(&serde_json::json!({ "scaleDownDelaySeconds": v })),
                short
            );
        }
        assert_eq!(scale_down_delay_short(&serde_json::json!({})), None);
    }
}
