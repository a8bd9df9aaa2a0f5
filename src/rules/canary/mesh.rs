//! The Ambassador and AppMesh traffic routers: Mappings and VirtualRouters (CR-11, CR-12).

use super::*;

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
pub(super) fn virtual_router_problem(router: &Value, name: &str) -> Option<(String, String)> {
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
