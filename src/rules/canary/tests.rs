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
    run(&ctx, crate::parallel::OBJECTS)
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
    assert!(step_findings(with_router(alb.clone(), header_step(json!({"exact": "1"})))).is_empty());
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
            .any(|(id, m)| id == "C-15" && m.ends_with("SetWeight needs to be between 0 and 100"))
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
