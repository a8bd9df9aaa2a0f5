//! The Ingresses of the Nginx and ALB traffic routers (CR-05 … CR-08).

use super::*;

/// `ValidateRolloutNginxIngressesConfig` / `ValidateRolloutAlbIngressesConfig`: exactly one of
/// the single and the list field.
pub(super) fn ingress_config_problem(
    router: &Value,
    single: &str,
    list: &str,
) -> Option<&'static str> {
    let multiple = set(router, list).is_some();
    let one = !text(router, single).is_empty();
    match (multiple, one) {
        (true, true) => Some("Both are configured."),
        (false, false) => Some("Neither are configured."),
        _ => None,
    }
}

pub(super) fn nginx_problem(tr: &Value) -> Option<&'static str> {
    set(tr, "nginx").and_then(|n| ingress_config_problem(n, "stableIngress", "stableIngresses"))
}

pub(super) fn alb_problem(tr: &Value) -> Option<&'static str> {
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
pub(super) struct IngressRef<'v> {
    name: &'v str,
    /// Where the Rollout names it.
    pointer: String,
    /// The path and value of the controller's NotFound error.
    missing_path: &'static str,
    missing_value: Value,
}

/// The Ingresses the controller looks up (`getReferencedIngresses`): the ALB router's, else
/// the Nginx router's. Nothing when CR-05 or CR-06 fails (the controller stops there).
pub(super) fn ingress_refs(canary: &Value) -> Vec<IngressRef<'_>> {
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

pub(super) fn find_ingress<'a>(ctx: &Context<'a>, from: &Object, name: &str) -> Option<&'a Object> {
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
pub(super) fn ingress_has_backend(ingress: &Value, service: &str) -> bool {
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

pub(super) fn names_contain(list: Option<&Value>, name: &str) -> bool {
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
