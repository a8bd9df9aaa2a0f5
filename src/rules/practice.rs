//! rollwright's own checks: settings the controller accepts but that do not do what their
//! author meant, or that make a blue-green release unsafe. Warnings by default.

use crate::rules::util::Lookup as _;
use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::util::{int, items, str_of};
use super::{ARGO, Rule, analysis};
use crate::manifest::Object;
use crate::report::Severity;

pub const RULES: &[&Rule] = &[&P_01, &P_02, &P_03, &P_04, &P_05, &P_06, &P_07, &P_08];

const BG: &str = "/spec/strategy/blueGreen";

pub static P_01: Rule = Rule {
    id: "P-01",
    name: "auto-promotion-seconds-ignored",
    severity: Severity::Warning,
    doc: "autoPromotionSeconds does nothing while autoPromotionEnabled is false",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            if bg.get("autoPromotionEnabled") == Some(&Value::Bool(false))
                && bg.get("autoPromotionSeconds").is_some()
            {
                sink.report(r, &format!("{BG}/autoPromotionSeconds"), "autoPromotionSeconds is ignored because autoPromotionEnabled is false: every update waits for `kubectl argo rollouts promote`")
                    .help("remove autoPromotionSeconds, or set autoPromotionEnabled: true to promote automatically after that many seconds");
            }
        }
    },
};

pub static P_02: Rule = Rule {
    id: "P-02",
    name: "auto-promotion-without-gate",
    severity: Severity::Warning,
    doc: "auto-promotion with no readiness probe and no analysis switches traffic as soon as pods start",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            if bg.get("autoPromotionEnabled").and_then(Value::as_bool) == Some(false)
                || r.value
                    .lookup("/spec/workloadRef")
                    .is_some_and(|v| !v.is_null())
            {
                continue;
            }
            let analysis = ["prePromotionAnalysis", "postPromotionAnalysis"]
                .iter()
                .any(|k| bg.get(*k).is_some_and(|v| !v.is_null()));
            let probed = items(r.value.lookup("/spec/template/spec/containers"))
                .any(|(_, c)| c.get("readinessProbe").is_some_and(|p| !p.is_null()));
            if !analysis && !probed {
                let at = if bg.get("autoPromotionEnabled").is_some() {
                    format!("{BG}/autoPromotionEnabled")
                } else {
                    BG.to_owned()
                };
                sink.report(r, &at, "auto-promotion is on (Argo's default) but no container has a readiness probe and no analysis runs: the new version takes production traffic as soon as its pods are running")
                    .help("add a readinessProbe, a prePromotionAnalysis, or set autoPromotionEnabled: false to promote by hand");
            }
        }
    },
};

pub static P_03: Rule = Rule {
    id: "P-03",
    name: "scale-down-delay-too-short",
    severity: Severity::Warning,
    doc: "scaleDownDelaySeconds below 30 can drop requests before every node's iptables have switched",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            if let Some(n) = int(bg.get("scaleDownDelaySeconds")).filter(|n| *n < 30) {
                sink.report(r, &format!("{BG}/scaleDownDelaySeconds"), format!("scaleDownDelaySeconds is {n}: the old pods may stop before kube-proxy on every node sends traffic to the new ones"))
                    .help("keep scaleDownDelaySeconds at 30 or more (Argo's default)");
            }
        }
    },
};

pub static P_04: Rule = Rule {
    id: "P-04",
    name: "preview-replicas-above-replicas",
    severity: Severity::Warning,
    doc: "previewReplicaCount above replicas runs more preview pods than production ever has",
    check: |ctx, sink| {
        for (r, bg) in ctx.blue_greens() {
            let replicas = int(r.value.lookup("/spec/replicas")).unwrap_or(1);
            if let Some(preview) = int(bg.get("previewReplicaCount")).filter(|p| *p > replicas) {
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
